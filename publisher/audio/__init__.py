"""Listening to an episode's audio: the only package that decodes samples (PyAV).

- ``decode``: open a file or a stream with PyAV (its wheels ship FFmpeg's libraries, so
  no system package is needed), errors as ``AudioDecodeError``;
- ``measure``: one streamed pass over the decoded samples — loudness (FFmpeg's ``ebur128``
  filter: integrated loudness, loudness range, true peak per ITU-R BS.1770-4 / EBU R128),
  leading and trailing silence, clipping runs, channels that are really mono — and the
  waveform peaks (``waveform``: the audiowaveform JSON format) in the same pass;
- ``findings``: what the numbers mean for a producer, against the targets (settings);
- ``render``: renditions — two-pass loudness normalization and MP3/AAC encodes.

Flask-free and database-free: ``publisher.operations.audio`` reads the stored object,
calls these, stores the results and writes the rows.
"""
