// The Satchel demo site: `dotnet run --project samples/Satchel.Demo`, then open http://localhost:5000.
// Another port: `dotnet run --project samples/Satchel.Demo -- --urls http://localhost:5080`.
// Another store: `-- --store sqlite` (sessions.db, survives a restart), `-- --store cookie` (no server state)
// `-- --store redis --redis 127.0.0.1:6379`, or `-- --store postgres --postgres "Host=localhost;Database=app;Username=app"`
// (else ConnectionStrings:Postgres).
using System.Security.Cryptography;
using Microsoft.AspNetCore.SignalR;
using Satchel;

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls("http://localhost:5000");

// Options from the "Satchel" section of appsettings.json; the store from --store (memory by default).
var store = builder.Configuration["store"] ?? "memory";
var satchel = builder.Services.AddSatchel(options =>
{
    // A store that outlives the process needs a signing secret that does too. A real app sets
    // Satchel:Secrets in its configuration; the demo keeps one in a file of its own.
    if (store != "memory" && options.Secrets.Count == 0) options.Secrets.Add(DemoSecret(builder.Environment.ContentRootPath));
});
switch (store)
{
    case "memory": break;
    case "sqlite": satchel.UseSqlite(builder.Configuration["sqlite"] ?? "sessions.db"); break;
    case "redis": satchel.UseRedis(builder.Configuration["redis"] ?? "127.0.0.1:6379"); break;
    case "postgres": satchel.UsePostgres(builder.Configuration["postgres"]); break;
    case "cookie": satchel.UseCookies(); break;
    default: throw new InvalidOperationException($"--store {store} is not a store of the demo: use memory, sqlite, redis, postgres or cookie.");
}

// Live pages: SignalR hubs get the caller's session (docs/realtime.md).
builder.Services.AddSignalR().AddSatchel();

var app = builder.Build();
app.UseSatchel();
app.MapHub<LiveCartHub>("/live-hub");
app.MapGet("/site.css", () => Results.Text(DemoPage.Css, "text/css; charset=utf-8"));

// The node-session test: store a value on the first visit, read it back on the reload.
app.MapGet("/", (HttpContext http, Session session) =>
{
    var visits = session.Get<int>("visits") + 1;
    session.Set("visits", visits);
    var stored = session["testValue"];
    string message, did;
    if (stored is null)
    {
        session["testValue"] = "A session variable";
        message = "<p id=\"message\">Stored <code>testValue</code> in the session: reload the page.</p>";
        did = "This request stored <code>testValue</code> and counted the visit; both are saved once, just before the response starts.";
    }
    else
    {
        message = $"<p id=\"message\">Read back from the session: <strong id=\"value\">{DemoPage.Encode(stored)}</strong></p>";
        did = "This request read <code>testValue</code> back (the session loaded once, lazily) and counted the visit: only the changed key is written.";
    }
    var user = session.UserId is { } id
        ? $"Signed in as <strong>{DemoPage.Encode(id)}</strong>. <a href=\"/sessions\">Your sessions</a>"
        : "Not signed in.";
    return DemoPage.Render(http, session, store, "A value that survives the reload",
        "The two-line promise: a value stored on one request is there on the next request of the same browser.", did, $"""
        <div class="card">{message}<p>Visits in this session: <strong id="visits">{visits}</strong></p></div>
        <h2 id="sign-in">Sign in</h2>
        <p>{user}</p>
        <form method="post" action="/login">
          <input name="user" placeholder="user name" required>
          <label><input type="checkbox" name="remember" value="on"> Remember me for 30 days</label>
          <button>Sign in</button>
        </form>
        <p>Signing in gives the session a new token (the old one stops working at once, against session fixation) and files it under your user name. "Remember me" makes the cookie persistent: it outlives a browser restart.</p>
        <form method="post" action="/logout"><button class="secondary">Sign out</button></form>
        """);
});

// A counter that parallel requests cannot lose: one step inside the store, no lock.
app.MapGet("/counter", (HttpContext http, Session session) => CounterPage(http, session, session.Get<long>("counter"), "This request only read <code>counter</code>."));

app.MapPost("/counter", async (HttpContext http, Session session) =>
{
    long value;
    string did;
    if (session.IsAvailable && store != "cookie")
    {
        value = await session.IncrementAsync("counter");
        did = "This request added 1 to <code>counter</code> inside the store, in one step: no lock, and no count lost when requests run in parallel.";
    }
    else
    {
        value = session.Get<long>("counter") + 1;
        session.Set("counter", value);
        did = "The cookie store cannot change a value inside a store, so this request read the counter and wrote it back.";
    }
    return CounterPage(http, session, value, did);
}).DisableAntiforgery();

IResult CounterPage(HttpContext http, Session session, long value, string did) =>
    DemoPage.Render(http, session, store, "A counter without locks", "Session.IncrementAsync adds to a number inside the store and returns the sum: every click counts, even from many tabs at once.", did, $"""
        <div class="card"><p class="big" id="counter">{value}</p>
        <form method="post" action="/counter"><button>Add one</button></form></div>
        """);

// Sign-in: a new token against session fixation, then the user id indexes the session.
app.MapPost("/login", async (HttpContext http, Session session) =>
{
    var form = await http.Request.ReadFormAsync();
    var user = form["user"].ToString().Trim();
    if (user.Length == 0) return Results.BadRequest("A user name is needed.");
    await session.RegenerateAsync();
    session.UserId = user;
    session.UserAgent = http.Request.Headers.UserAgent.ToString();
    if (form["remember"] == "on") session.RememberMe(TimeSpan.FromDays(30));
    return Results.Redirect("/");
}).DisableAntiforgery();

app.MapPost("/logout", (Session session) =>
{
    session.Destroy();
    return Results.Redirect("/");
}).DisableAntiforgery();

// "Sign out everywhere else": the user's sessions from the admin service.
app.MapGet("/sessions", async (HttpContext http, Session session, SessionAdmin admin) =>
{
    const string lead = "SessionAdmin lists a user's sessions and ends them: sign in from two browsers, then sign the other one out from here.";
    if (session.UserId is not { } user)
        return DemoPage.Render(http, session, store, "Your sessions", lead, "Nothing: this session has no user yet.", "<p><a href=\"/#sign-in\">Sign in</a> first.</p>");
    if (store == "cookie")
        return DemoPage.Render(http, session, store, "Your sessions", lead, "Nothing: the cookie store keeps sessions in browsers, so it cannot list them (docs/stores/cookie.md).", "");
    var rows = string.Concat((await admin.ListAsync(user)).Select(s =>
        $"<tr><td><code>{s.Id}</code>{(s.Id == session.Id ? " (this one)" : "")}</td><td>{s.Created:u}</td><td>{s.LastSeen:u}</td><td>{DemoPage.Encode(s.UserAgent ?? "")}</td></tr>"));
    return DemoPage.Render(http, session, store, "Your sessions", lead, $"Listed the sessions of <strong>{DemoPage.Encode(user)}</strong> from the store's user index.", $"""
        <table><tr><th>Id</th><th>Created</th><th>Last seen</th><th>User agent</th></tr>{rows}</table>
        <form method="post" action="/sessions/revoke-others"><button>Sign out everywhere else</button></form>
        """);
});

app.MapPost("/sessions/revoke-others", async (Session session, SessionAdmin admin) =>
{
    if (session.UserId is { } user) await admin.RevokeAllAsync(user, exceptSessionId: session.Id);
    return Results.Redirect("/sessions");
}).DisableAntiforgery();

// The cart page's script: twenty fetches at once, then the cart as the server has it.
const string CartScript = """
        <script>
          const show = (items, note) => {
            document.getElementById('cart-count').textContent = items.length;
            document.getElementById('cart-items').innerHTML = items.map(i => '<li>' + i + '</li>').join('');
            document.getElementById('cart-note').innerHTML = note;
          };
          document.getElementById('fill').onclick = async () => {
            const started = performance.now();
            await Promise.all(Array.from({ length: 20 }, (_, i) => fetch('/cart/items/' + (i + 1), { method: 'POST' })));
            const items = await (await fetch('/cart/items')).json();
            const ms = Math.round(performance.now() - started);
            show(items, items.length === 20 ? '<span class="ok" id="cart-ok">all 20 kept</span> (' + ms + ' ms)' : '(' + ms + ' ms)');
          };
          document.getElementById('empty').onclick = async () => {
            await fetch('/cart/items', { method: 'DELETE' });
            show([], '');
          };
        </script>
    """;

// The headline: twenty requests of one browser, at once, each adding its own item. A change set
// per request keeps every one; ASP.NET Core's session (whole-session writes) keeps about two.
app.MapGet("/cart", (HttpContext http, Session session) =>
{
    // Stored now, so the browser has its session before the twenty requests leave together.
    session.Set("cartVisits", session.Get<int>("cartVisits") + 1);
    var items = CartItems(session);
    var warning = store == "cookie"
        ? "<p><strong>On the cookie store</strong> the whole session travels in each response's cookie, so parallel requests overwrite each other: expect fewer than 20.</p>"
        : "";
    return DemoPage.Render(http, session, store, "Twenty parallel requests, one cart",
        "The button sends 20 requests at the same moment, each adding one item to the cart. Each request saves only what it changed, so all 20 stay.",
        "This request counted your visit to this page, so your browser holds a session before the parallel requests start.", $"""
        <div class="card">
          <form id="fill-form" onsubmit="return false"><button id="fill">Add 20 items in parallel</button><button class="secondary" id="empty">Empty the cart</button></form>
          <p>Items in the cart: <strong id="cart-count">{items.Count}</strong> <span id="cart-note"></span></p>
          <ol class="items" id="cart-items">{string.Concat(items.Select(i => $"<li>{DemoPage.Encode(i)}</li>"))}</ol>
        </div>
        {warning}
        {CartScript}
        """);
});

app.MapPost("/cart/items/{n:int}", (int n, Session session) =>
{
    session[$"cart:{n:00}"] = $"Item {n}";
    return Results.NoContent();
});

app.MapGet("/cart/items", (Session session) => CartItems(session));

app.MapDelete("/cart/items", (Session session) =>
{
    foreach (var key in session.Keys.Where(k => k.StartsWith("cart:", StringComparison.Ordinal)).ToList()) session.Remove(key);
    return Results.NoContent();
});

static List<string> CartItems(Session session) =>
    [.. session.Keys.Where(k => k.StartsWith("cart:", StringComparison.Ordinal)).Order(StringComparer.Ordinal).Select(k => session[k]!)];

// The SignalR JSON protocol over a plain WebSocket, in a few lines (no client library to bundle).
const string LiveScript = """
    <script>
      const RS = '\u001e', state = document.getElementById('live-state');
      const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/live-hub');
      let next = 0, timer = null; const pending = {};
      const invoke = (target, ...args) => new Promise((resolve, reject) => {
        const invocationId = String(++next); pending[invocationId] = { resolve, reject };
        ws.send(JSON.stringify({ type: 1, invocationId, target, arguments: args }) + RS);
      });
      const show = items => {
        document.getElementById('live-count').textContent = items.length;
        document.getElementById('live-items').innerHTML = items.map(i => '<li>' + i.replace(/</g, '&lt;') + '</li>').join('');
      };
      const refresh = async () => show(await invoke('Items'));
      ws.onopen = () => { ws.send(JSON.stringify({ protocol: 'json', version: 1 }) + RS); };
      ws.onmessage = e => {
        for (const part of e.data.split(RS)) {
          if (!part) continue;
          const m = JSON.parse(part);
          if (m.type === undefined && !m.error) { state.textContent = 'live'; state.className = 'ok'; refresh(); timer = setInterval(refresh, 1000); }
          if (m.type === 3) { const p = pending[m.invocationId]; delete pending[m.invocationId]; m.error ? p.reject(new Error(m.error)) : p.resolve(m.result); }
        }
      };
      ws.onclose = () => { clearInterval(timer); state.textContent = 'closed: the session ended (signed out?)'; state.className = 'closed'; };
      document.getElementById('live-add').onclick = async () => {
        try { await invoke('Add', document.getElementById('live-item').value); await refresh(); }
        catch (e) { state.textContent = e.message; }
      };
    </script>
    """;

// A live page: the same cart through a SignalR hub. Each hub call loads the session as the store
// holds it now (so items added by the HTTP cart page show up here), commits what it changed, and
// the connection closes when the session ends, from this tab or another.
app.MapGet("/live", (HttpContext http, Session session) =>
{
    session.Set("liveVisits", session.Get<int>("liveVisits") + 1);   // a session before the page connects
    return DemoPage.Render(http, session, store, "A live page on the same session",
        "This page talks to the server over a SignalR connection. Each hub call reads and writes your session like an HTTP request does; a hub cannot set a cookie, so sign-in stays on HTTP pages.",
        "This request counted your visit, so the browser holds a session before the live connection opens.", $"""
        <div class="card">
          <p>Connection: <strong id="live-state">connecting…</strong></p>
          <form id="live-form" onsubmit="return false"><input id="live-item" placeholder="an item" value="Live item"><button id="live-add">Add through the hub</button></form>
          <p>Items in the cart: <strong id="live-count">0</strong> — add more from the <a href="/cart" target="_blank">HTTP cart page</a>: they show here within a second.</p>
          <ol class="items" id="live-items"></ol>
          <p>Sign out in another tab, and this page's connection closes at once: a live page never goes on acting for a user who signed out.</p>
        </div>
        {LiveScript}
        """);
});

// Existing ASP.NET Core code keeps working: HttpContext.Session is served by Satchel.
app.MapGet("/legacy", (HttpContext http, Session session) =>
{
    var count = (http.Session.GetInt32("legacy") ?? 0) + 1;
    http.Session.SetInt32("legacy", count);
    return DemoPage.Render(http, session, store, "HttpContext.Session still works",
        "Code written for ASP.NET Core's ISession keeps working: Satchel serves HttpContext.Session, with the same values as the Session API.",
        "This request counted through <code>HttpContext.Session.SetInt32</code> and read <code>testValue</code> (stored by the seed test page) through <code>GetString</code>.", $"""
        <div class="card"><p id="legacy">HttpContext.Session counter: {count}; testValue via ISession: {DemoPage.Encode(http.Session.GetString("testValue") ?? "(none)")}</p></div>
        """);
});

app.Run();

static string DemoSecret(string directory)
{
    var path = Path.Combine(directory, "satchel-demo.secret");
    if (!File.Exists(path)) File.WriteAllText(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)));
    return File.ReadAllText(path).Trim();
}

/// <summary>The cart of the HTTP page, through SignalR: each call sees the session as the store holds it now.</summary>
sealed class LiveCartHub : Microsoft.AspNetCore.SignalR.Hub
{
    public List<string> Items()
    {
        var session = Context.GetSession();
        return [.. session.Keys.Where(k => k.StartsWith("cart:", StringComparison.Ordinal)).Order(StringComparer.Ordinal).Select(k => session[k]!)];
    }

    public void Add(string item)
    {
        var session = Context.GetSession();
        session[$"cart:live-{session.Keys.Count(k => k.StartsWith("cart:live-", StringComparison.Ordinal)) + 1:00}"] = item;
    }
}
