"""What sound is: IPA, audio formats and PCM, acoustic measurement, TTS engines. No Django here."""
