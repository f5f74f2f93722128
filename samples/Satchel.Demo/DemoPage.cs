using System.Net;
using Satchel;

/// <summary>
/// The demo's layout: one stylesheet, a menu to every feature, and on every page a short account
/// of what Satchel just did for this request (cookie, store, values).
/// </summary>
static class DemoPage
{
    public static readonly string Css = ReadStylesheet();

    private static readonly (string Path, string Label)[] Menu =
    [
        ("/", "Seed test"), ("/counter", "Counter"), ("/#sign-in", "Sign in"), ("/sessions", "Your sessions"),
        ("/cart", "Parallel cart"), ("/live", "Live page"), ("/legacy", "ISession"),
    ];

    public static IResult Render(HttpContext http, Session session, string store, string title, string lead, string did, string body)
    {
        var path = http.Request.Path.Value ?? "/";
        var menu = string.Concat(Menu.Select(m => $"<a href=\"{m.Path}\"{(m.Path == path ? " class=\"here\"" : "")}>{m.Label}</a>"));
        return Results.Content($"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{Encode(title)} · Satchel demo</title><link rel="stylesheet" href="/site.css"></head>
            <body>
            <header><div class="bar"><a class="brand" href="/">Satchel demo</a><nav>{menu}</nav></div></header>
            <main>
            <h1>{Encode(title)}</h1>
            <p class="lead">{lead}</p>
            <section class="explain" id="explain"><h2>What Satchel just did</h2><ul>{Explain(http, session, store, did)}</ul></section>
            {body}
            </main>
            <footer>Sessions in the <strong id="store">{store}</strong> store · {SessionId(session)} · source: <code>samples/Satchel.Demo</code></footer>
            </body></html>
            """, "text/html; charset=utf-8");
    }

    public static string Encode(string text) => WebUtility.HtmlEncode(text);

    // No id until there is a session: asking a new, empty session for its Id would mint a token
    // that is never stored, a different one on every load.
    private static string SessionId(Session session) => session.IsNew && session.Keys.Count == 0 && session.UserId is null
        ? """<span id="session-id">no session yet</span>"""
        : $"""session id <code id="session-id">{session.Id}</code> (a non-secret handle: a prefix of the token's hash)""";

    // What this request did with the session, in the words a visitor needs.
    private static string Explain(HttpContext http, Session session, string store, string did)
    {
        var sentCookie = http.Request.Cookies.ContainsKey(http.RequestServices.GetRequiredService<SessionManager>().CookieName);
        var stored = session.Keys.Count > 0;
        var cookie = (sentCookie, session.IsNew, stored) switch
        {
            (true, false, _) => $"Your browser sent its <code>sid</code> cookie; Satchel checked its signature and loaded session <code>{session.Id}</code> from the {store} store in one read.",
            (true, true, true) => "Your browser sent a cookie the store does not know (expired, signed out, or lost in a restart). Satchel never adopts an unknown token: it started a new session, and this response carries its new <code>sid</code> cookie.",
            (true, true, false) => "Your browser sent a cookie the store does not know (expired, signed out, or lost in a restart). Satchel ignored it and sends no new one until something is stored.",
            (false, _, true) => "Your browser had no session. Something was stored, so this response carries a new <code>sid</code> cookie (HttpOnly, SameSite=Lax, signed).",
            (false, _, false) => "Your browser has no session cookie, and nothing was stored, so none goes out: Satchel issues a cookie only when there is something to keep.",
        };
        var keys = stored ? string.Join(", ", session.Keys.Order(StringComparer.Ordinal).Select(k => $"<code>{Encode(k)}</code>")) : "none";
        var lifetime = store switch
        {
            "memory" => "the memory store (this process; gone when the demo stops)",
            "sqlite" => "the SQLite store (sessions.db; survives a restart)",
            "redis" => "the Redis store (shared by every app process on that Redis)",
            _ => "the cookie store (sealed in your browser's cookies; no server state)",
        };
        return $"<li>{cookie}</li><li>{did}</li><li>Values in the session now: {keys}. They live in {lifetime}.</li>";
    }

    private static string ReadStylesheet()
    {
        using var stream = typeof(DemoPage).Assembly.GetManifestResourceStream("site.css")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
