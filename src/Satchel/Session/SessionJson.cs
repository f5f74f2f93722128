using System.Text.Json;
using System.Text.Json.Serialization;

namespace Satchel;

/// <summary>Source-generated JSON for the types Satchel itself writes, so the string paths stay trim-safe.</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(byte[]))]
internal sealed partial class SessionJsonContext : JsonSerializerContext;

/// <summary>Checks on raw JSON that adapters hand to the session.</summary>
internal static class SessionJson
{
    /// <exception cref="ArgumentException"><paramref name="utf8Json"/> is not exactly one JSON value.</exception>
    public static void EnsureOneValue(string key, ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            if (!reader.Read()) throw new JsonException("No value.");
            reader.Skip();
            reader.Read();   // throws on anything after the one value
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The value for session key '{key}' is not one UTF-8 JSON value: {ex.Message}", nameof(utf8Json), ex);
        }
    }
}
