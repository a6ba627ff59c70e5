"""Audio file formats PhatAm accepts, recognised from their content (never from the name)."""

FORMATS = {
    # format: (extensions that may name it, MIME type)
    "mp3": (("mp3",), "audio/mpeg"),
    "wav": (("wav",), "audio/wav"),
    "ogg": (("ogg", "oga", "opus"), "audio/ogg"),
    "m4a": (("m4a", "mp4"), "audio/mp4"),
}
EXTENSIONS = {ext: fmt for fmt, (exts, _) in FORMATS.items() for ext in exts}


def _mpeg_audio_frame(head: bytes) -> bool:
    """A plausible MPEG audio frame header: sync, a real layer, bitrate and sample rate."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    layer = (head[1] >> 1) & 0b11
    bitrate = head[2] >> 4
    sample_rate = (head[2] >> 2) & 0b11
    return layer != 0 and bitrate not in (0, 0xF) and sample_rate != 0b11


def detect_format(head: bytes) -> str | None:
    """``"mp3"``, ``"wav"``, ``"ogg"``, ``"m4a"`` or ``None`` from a file's first bytes
    (16 are enough; an ID3 tag counts as MP3)."""
    if head.startswith(b"ID3") or _mpeg_audio_frame(head):
        return "mp3"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"OggS"):
        return "ogg"
    if head[4:8] == b"ftyp":
        return "m4a"
    return None
