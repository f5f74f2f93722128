using System.Net;

namespace Satchel;

/// <summary>
/// Writes the session cookie to an <see cref="HttpListenerResponse"/>'s headers. HttpListener has
/// no hook before the response goes out, so its sessions send the cookie as soon as it changes
/// (<see cref="SessionCookieSink.SendsEarly"/>) and register their save with <paramref name="pending"/>,
/// which the browser's next request waits for. Only the public hooks any adapter has.
/// </summary>
internal sealed class HttpListenerCookieSink(HttpListenerResponse response, PendingCommits.PendingCommit pending) : SessionCookieSink
{
    private bool _closed;

    protected override bool SendsEarly => true;

    protected override void OnChanged(SessionKey key) => pending.Track(key);

    protected override void OnCommitted() => pending.Release();

    // HttpListener does not say whether the response went out. On Windows (http.sys) a sent or
    // closed response throws on its headers. Linux's managed HttpListener accepts header changes
    // after the body started and drops them, so there the headers it adds as it sends them tell:
    // Date and Server, with the body's framing (Transfer-Encoding or Content-Length).
    protected override bool HasStarted => _closed || HeadersSent(response.Headers);

    // By name: reading through HttpResponseHeader would fix the collection's kind as a side effect.
    private static bool HeadersSent(WebHeaderCollection headers) =>
        headers["Date"] is not null && headers["Server"] is not null && (headers["Transfer-Encoding"] is not null || headers["Content-Length"] is not null);

    protected override string[] GetHeader(string name)
    {
        try
        {
            return response.Headers.GetValues(name) ?? [];
        }
        catch (ObjectDisposedException)
        {
            _closed = true;
            return [];
        }
    }

    protected override void SetHeader(string name, string[] values)
    {
        try
        {
            response.Headers.Remove(name);
            foreach (var value in values) response.Headers.Add(name, value);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            _closed = true;
            throw new InvalidOperationException("The response was already sent, so the session cookie can no longer go out. Change the session before writing the response body.", ex);
        }
    }
}
