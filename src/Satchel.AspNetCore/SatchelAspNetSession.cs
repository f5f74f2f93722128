using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Satchel.AspNetCore;

/// <summary>
/// <see cref="ISession"/> served by a Satchel <see cref="Satchel.Session"/>, so code written for
/// ASP.NET Core's session keeps working. Values stay JSON: <c>SetString</c> stores a JSON string
/// (readable with <c>Get&lt;string&gt;</c>), bytes that are not UTF-8 are stored as
/// <c>{"$bytes":"base64"}</c>, and <c>TryGetValue</c> gives a JSON string's text, such an
/// object's bytes, or any other value's JSON text.
/// </summary>
internal sealed class SatchelAspNetSession(Session session) : ISession
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public bool IsAvailable
    {
        get
        {
            // Loads first, as ASP.NET Core's session does, through the session's own load on first use
            // (IsNew reads the loaded session): a thread that waits here is warned of, and the
            // endpoint's session loads before it from its next request on.
            _ = session.IsNew;
            return session.IsAvailable;
        }
    }

    public string Id => session.Id;

    public IEnumerable<string> Keys => session.Keys;

    public void Clear() => session.Clear();

    public Task CommitAsync(CancellationToken cancellationToken = default) => session.CommitAsync(cancellationToken).AsTask();

    public Task LoadAsync(CancellationToken cancellationToken = default) => session.LoadAsync(cancellationToken).AsTask();

    public void Remove(string key) => session.Remove(key);

    public void Set(string key, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        session.SetJson(key, ToJson(value));
    }

    public bool TryGetValue(string key, [NotNullWhen(true)] out byte[]? value)
    {
        if (!session.TryGetJson(key, out var json))
        {
            value = null;
            return false;
        }
        value = FromJson(json);
        return true;
    }

    internal static byte[] ToJson(byte[] value)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(value);
        }
        catch (DecoderFallbackException)
        {
            return JsonSerializer.SerializeToUtf8Bytes(new BytesValue(value), AspNetJsonContext.Default.BytesValue);
        }
        return JsonSerializer.SerializeToUtf8Bytes(text, AspNetJsonContext.Default.String);
    }

    internal static byte[] FromJson(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.String) return Encoding.UTF8.GetBytes(reader.GetString()!);
            if (reader.TokenType == JsonTokenType.StartObject && json.IndexOf("\"$bytes\""u8) >= 0)
            {
                var bytes = JsonSerializer.Deserialize(json, AspNetJsonContext.Default.BytesValue);
                if (bytes?.Bytes is not null) return bytes.Bytes;
            }
        }
        // A copy: the caller may change it, and the session's own bytes must not.
        return json.ToArray();
    }
}
