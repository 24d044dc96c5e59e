"""What an uploaded file really is: format, duration, tags, cover art and chapters.

The only package that imports mutagen. ``probe(fileobj)`` decides the type from the bytes
(never from the name or the client's Content-Type), reads only what it needs (it seeks;
over an S3 object every read is a ranged GET), and returns a plain ``AudioInfo``.
Anything we cannot serve raises ``ProbeError`` with a message a producer can act on.

Traps handled here on purpose (measured on ffmpeg-made files; see docs/media.md):
- MP3 without a Xing/VBRI header: mutagen estimates the duration from the first frame's
  bitrate, which for VBR is wildly wrong and flagged nowhere. We sample frame headers
  across the file; when the bitrate varies we count every frame (streamed, constant
  memory) for the exact duration.
- MP3 with a Xing header written by ffmpeg ("Lavc" instead of "LAME"): mutagen does not
  recognise the encoder delay/padding fields and reports ~40 ms too much; we read them.
- M4A: mutagen counts the 1,024 AAC priming samples (we use the edit list, or iTunSMPB)
  and reports 2 channels for mono AAC (we read the AudioSpecificConfig).
- Opus has no sample_rate in mutagen: Opus always decodes at 48 kHz.
- Tags with a huge embedded picture: mutagen would read all of it; we refuse tag blocks
  above MAX_TAG_BYTES before handing the file to mutagen.

One module per format (``mp3`` with ``mpeg``, ``mp4``, ``ogg``, ``flac``, ``wav``; the
Vorbis comments shared by Ogg and FLAC in ``vorbiscomment``); ``detect`` sniffs the type
and dispatches; ``base`` holds the result, the error and the shared helpers.
"""

from publisher.media.probe.base import ACCEPTED, MAX_TAG_BYTES, AudioInfo, ProbeError, clean_text
from publisher.media.probe.detect import probe

__all__ = ["ACCEPTED", "MAX_TAG_BYTES", "AudioInfo", "ProbeError", "clean_text", "probe"]
