using System.Globalization;
using System.Text;

namespace Satchel;

/// <summary>Reads the session cookie from a Cookie header and writes Set-Cookie values.</summary>
internal static class SessionCookie
{
    /// <summary>Longest Cookie header Satchel reads; a longer one is treated as no session.</summary>
    public const int MaxHeaderLength = 16 * 1024;

    /// <summary>
    /// The values of the cookie named exactly <paramref name="name"/>, in header order. Names
    /// match ordinally with no percent-decoding: <c>__%48ost-sid</c> is not <c>__Host-sid</c>.
    /// </summary>
    public static CookieValues Values(ReadOnlySpan<char> header, string name) => new(header, name);

    /// <summary>Enumerates one cookie's values without allocating.</summary>
    public ref struct CookieValues(ReadOnlySpan<char> header, string name)
    {
        private ReadOnlySpan<char> _rest = header;

        public ReadOnlySpan<char> Current { get; private set; }

        public readonly CookieValues GetEnumerator() => this;

        public bool MoveNext()
        {
            while (!_rest.IsEmpty)
            {
                var end = _rest.IndexOf(';');
                var pair = (end < 0 ? _rest : _rest[..end]).Trim(' ');
                _rest = end < 0 ? [] : _rest[(end + 1)..];
                var eq = pair.IndexOf('=');
                if (eq <= 0 || !pair[..eq].TrimEnd(' ').SequenceEqual(name)) continue;
                var value = pair[(eq + 1)..].TrimStart(' ');
                if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = value[1..^1];
                Current = value;
                return true;
            }
            return false;
        }
    }

    /// <summary>A Set-Cookie value; <paramref name="maxAge"/> null makes a browser-session cookie. Max-Age is rounded to the second: the cookie is built a moment after the lifetime was set.</summary>
    public static string Build(SessionCookieOptions options, string value, bool secure, TimeSpan? maxAge) =>
        Build(options, options.EffectiveName, value, secure, maxAge);

    /// <summary>A Set-Cookie value for another cookie of the session's (the cookie store's data), with the session cookie's attributes.</summary>
    public static string Build(SessionCookieOptions options, string name, string value, bool secure, TimeSpan? maxAge)
    {
        var sb = new StringBuilder(name.Length + value.Length + 100);
        sb.Append(name).Append('=').Append(value);
        if (maxAge is { } age)
            sb.Append("; Max-Age=").Append(((long)Math.Max(0, Math.Round(age.TotalSeconds))).ToString(CultureInfo.InvariantCulture));
        sb.Append("; Path=").Append(options.Path);
        if (options.Domain is not null) sb.Append("; Domain=").Append(options.Domain);
        if (secure) sb.Append("; Secure");
        sb.Append("; HttpOnly; SameSite=").Append(options.SameSite switch
        {
            SessionSameSite.Strict => "Strict",
            SessionSameSite.None => "None",
            _ => "Lax",
        });
        return sb.ToString();
    }

    /// <summary>A Set-Cookie value that makes the browser drop the cookie.</summary>
    public static string Expired(SessionCookieOptions options, bool secure) => Build(options, "", secure, TimeSpan.Zero);

    /// <summary>The most a browser keeps of one cookie (RFC 6265bis: name and value; checked here on the whole Set-Cookie, to be safe).</summary>
    public const int BrowserLimit = 4096;
}
