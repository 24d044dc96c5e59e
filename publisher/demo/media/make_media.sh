#!/usr/bin/env bash
# Re-creates the demo audio and artwork committed beside this script (needs espeak-ng
# and ffmpeg). The files are committed so that `make run` needs neither.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

speak() {  # speak OUT TEXT: a spoken voice track over a quiet bed of pink noise and a tone
  espeak-ng -v en-gb -s 150 -w "$tmp/voice.wav" "$2"
  ffmpeg -nostdin -loglevel error -y -i "$tmp/voice.wav" \
    -f lavfi -i "sine=frequency=220:sample_rate=22050" \
    -f lavfi -i "anoisesrc=color=pink:amplitude=0.02:sample_rate=22050" \
    -filter_complex "[1]volume=0.03[t];[0][t][2]amix=inputs=3:duration=first:normalize=0,apad=pad_dur=1" \
    -ac 1 -ar 22050 "$1"
}

speak "$tmp/welcome.wav" "Welcome to The Harbour Report, the weekly show from the Port Alder newsroom. \
This week: the spring tides are higher than anyone on the quay remembers. \
The harbour master explains why the pontoons are being raised, and what it means for the fishing fleet. \
The harbour master, Ines Calloway, has kept the tide tables on the wall of her office for nineteen years. \
She says the highest tides now arrive a little earlier each spring, and that the old pontoons sit too low for them. \
Work starts on Tuesday. The pontoons on the north wall will be lifted by forty centimetres, one section at a time, \
so that boats can still come and go. The fleet has been asked to use the south wall until the end of the month. \
Skippers we spoke to were relieved. One told us he had watched the water lap over the boards twice this year already. \
Then the weather: a calm week, with fog in the mornings and sunshine by noon. \
Winds stay light from the west, and the sea should be smooth for the ferry crossings. \
That is all for this week. Thanks for listening to The Harbour Report."
speak "$tmp/ferry.wav" "The night ferry to Gull Island runs again from Monday. \
For two winters the islanders relied on a single water taxi. \
We rode the first crossing with the new crew, and asked the captain what changed."
speak "$tmp/market.wav" "Saturday is market day on Quay Street. \
Twelve new stalls join this season, from smoked fish to hand thrown pottery. \
We asked the traders what brought them to Port Alder, and what keeps them here."

# Episode 1: MP3 with ID3 chapters (CHAP/CTOC) and tags.
duration=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$tmp/welcome.wav")
third=$(python3 -c "print(int(float('$duration') * 1000 / 3))")
cat > "$tmp/chapters.txt" <<META
;FFMETADATA1
title=Spring tides on the quay
artist=The Harbour Report
album=The Harbour Report
genre=Podcast
date=2026
[CHAPTER]
TIMEBASE=1/1000
START=0
END=$third
title=Welcome
[CHAPTER]
TIMEBASE=1/1000
START=$third
END=$((third * 2))
title=The spring tides
[CHAPTER]
TIMEBASE=1/1000
START=$((third * 2))
END=$((third * 3))
title=The weather
META
ffmpeg -nostdin -loglevel error -y -i "$tmp/welcome.wav" -i "$tmp/chapters.txt" \
  -map_metadata 1 -map_chapters 1 -c:a libmp3lame -b:a 48k -id3v2_version 3 spring-tides.mp3
# Episode 2: AAC in M4A.
ffmpeg -nostdin -loglevel error -y -i "$tmp/ferry.wav" -c:a aac -b:a 48k \
  -metadata title="The night ferry returns" -metadata artist="The Harbour Report" night-ferry.m4a
# Episode 3: MP3.
ffmpeg -nostdin -loglevel error -y -i "$tmp/market.wav" -c:a libmp3lame -b:a 48k \
  -metadata title="Market day on Quay Street" -metadata artist="The Harbour Report" market-day.mp3
# Show artwork: 1400×1400 JPEG (Apple's minimum), a sea-coloured gradient.
ffmpeg -nostdin -loglevel error -y -f lavfi \
  -i "gradients=s=1400x1400:c0=0x0b3d5c:c1=0x3aa0a8:x0=0:y0=0:x1=1400:y1=1400:d=1" \
  -frames:v 1 -q:v 4 artwork.jpg
