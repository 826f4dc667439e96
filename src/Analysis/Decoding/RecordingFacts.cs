using SpeechEmotion.Analysis.Formats;

namespace SpeechEmotion.Analysis.Decoding;

/// <summary>
/// What the source recording is, before decoding changed it: container, codec (ffmpeg's name, e.g. pcm_mulaw, mp3,
/// opus), sample rate and channel count. Duration is what the container declares (exact for WAV, an estimate for
/// some compressed formats), null when it declares none, e.g. Ogg or MP3 streamed without a header that says.
/// </summary>
internal sealed record RecordingFacts(AudioFormat Format, string Codec, int SampleRate, int Channels, TimeSpan? Duration);
