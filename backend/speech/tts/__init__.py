"""Text-to-speech engines: a base class, eSpeak NG (offline), edge-tts (online), in-memory."""
