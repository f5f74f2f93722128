namespace Satchel.Tests.Support;

/// <summary>The adapter side of a session in tests: keeps every Set-Cookie the session sent.</summary>
public sealed class RecordingCookieSink : ISessionCookieSink
{
    public List<string?> History { get; } = [];

    public string? Current => History.Count == 0 ? null : History[^1];

    public void SetCookie(string? setCookieHeader) => History.Add(setCookieHeader);
}
