using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Satchel.Postgres;

/// <summary>
/// A session's values as the store keeps them: one <c>jsonb</c> object whose members hold each
/// value's bytes in base64 (<c>{"cart": "eyJuIjoyfQ=="}</c>). A store keeps bytes, whatever they
/// are; PostgreSQL's text cannot hold U+0000 or invalid UTF-8, and it normalises JSON it parses
/// (spacing, key order, number forms). Base64 strings it keeps as they are, so each value comes back
/// byte for byte while the server can still set and remove members one by one.
/// </summary>
internal static class PostgresValues
{
    private static readonly JsonWriterOptions Writing = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    /// <summary>The object holding <paramref name="values"/> (null values left out: they are removals).</summary>
    public static string Object(IEnumerable<KeyValuePair<string, ReadOnlyMemory<byte>>> values)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, Writing))
        {
            writer.WriteStartObject();
            foreach (var (name, json) in values) writer.WriteBase64String(CheckName(name), json.Span);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A change set's values: the object of those set, and the names of those removed.</summary>
    public static (string Set, string[] Removed) Split(IReadOnlyDictionary<string, byte[]?> changes)
    {
        var removed = new List<string>();
        var set = new List<KeyValuePair<string, ReadOnlyMemory<byte>>>(changes.Count);
        foreach (var (name, json) in changes)
        {
            if (json is null) removed.Add(CheckName(name));
            else set.Add(new(name, json));
        }
        return (Object(set), [.. removed]);
    }

    /// <summary>Each member of the stored object, with its value's bytes.</summary>
    public static List<KeyValuePair<string, ReadOnlyMemory<byte>>> Read(string stored)
    {
        var values = new List<KeyValuePair<string, ReadOnlyMemory<byte>>>();
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(stored));
        reader.Read();   // {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            values.Add(new(name, reader.GetBytesFromBase64()));
        }
        return values;
    }

    /// <summary>One value as the object holds it.</summary>
    public static string Encode(ReadOnlySpan<byte> value) => Convert.ToBase64String(value);

    /// <summary>One value from the object (PostgreSQL's own base64 may break lines).</summary>
    public static byte[] Decode(string stored) => Convert.FromBase64String(stored);

    // PostgreSQL's text (and so jsonb) cannot hold U+0000: say so instead of failing in the server.
    public static string CheckName(string name) =>
        name.Contains('\0', StringComparison.Ordinal)
            ? throw new ArgumentException($"The PostgreSQL session store cannot keep a session key containing U+0000 (PostgreSQL text cannot hold it): '{name.Replace("\0", "\\0", StringComparison.Ordinal)}'.", nameof(name))
            : name;
}
