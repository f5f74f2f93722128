namespace Satchel;

/// <summary>
/// Where a session sends its cookie: implemented by each server adapter. Satchel calls it as soon
/// as the cookie the response must carry changes, before the response starts.
/// </summary>
public interface ISessionCookieSink
{
    /// <summary>
    /// Replaces Satchel's own <c>Set-Cookie</c> header with <paramref name="setCookieHeader"/>, or
    /// takes it back when <see langword="null"/>. A response that carries the cookie also gets
    /// <c>Vary: Cookie</c> and <c>Cache-Control: no-store</c>, so no cache hands it to someone else.
    /// Throws <see cref="InvalidOperationException"/> when the response has already started.
    /// </summary>
    void SetCookie(string? setCookieHeader);
}
