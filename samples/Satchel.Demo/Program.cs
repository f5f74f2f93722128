// The Satchel demo site: `dotnet run --project samples/Satchel.Demo`, then open http://localhost:5000.
// Another port: `dotnet run --project samples/Satchel.Demo -- --urls http://localhost:5080`.
// Another store: `-- --store sqlite` (sessions.db, survives a restart), `-- --store cookie` (no server state)
// or `-- --store redis --redis 127.0.0.1:6379`.
using System.Net;
using System.Security.Cryptography;
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
    case "cookie": satchel.UseCookies(); break;
    default: throw new InvalidOperationException($"--store {store} is not a store of the demo: use memory, sqlite, redis or cookie.");
}

var app = builder.Build();
app.UseSatchel();

// The node-session test: store a value on the first visit, read it back on the reload.
app.MapGet("/", (Session session) =>
{
    var visits = session.Get<int>("visits") + 1;
    session.Set("visits", visits);
    var stored = session["testValue"];
    string body;
    if (stored is null)
    {
        session["testValue"] = "A session variable";
        body = "<p id=\"message\">Stored <code>testValue</code> in the session: reload the page.</p>";
    }
    else
    {
        body = $"<p id=\"message\">Read back from the session: <strong id=\"value\">{WebUtility.HtmlEncode(stored)}</strong></p>";
    }
    var user = session.UserId is { } id ? $"Signed in as <strong>{WebUtility.HtmlEncode(id)}</strong>. <a href=\"/sessions\">Your sessions</a>" : "Not signed in.";
    return Page("Satchel demo", $"""
        {body}
        <p>Visits in this session: <strong id="visits">{visits}</strong></p>
        <p>Session id (non-secret handle): <code id="session-id">{session.Id}</code>, kept in the <code id="store">{store}</code> store.</p>
        <p>{user}</p>
        <form method="post" action="/login">
          <input name="user" placeholder="user name" required>
          <label><input type="checkbox" name="remember" value="on"> Remember me for 30 days</label>
          <button>Sign in</button>
        </form>
        <form method="post" action="/logout"><button>Sign out</button></form>
        """);
});

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
app.MapGet("/sessions", async (Session session, SessionAdmin admin) =>
{
    if (session.UserId is not { } user) return Results.Redirect("/");
    if (store == "cookie")
        return Page("Your sessions", "<p>The cookie store keeps sessions in browsers, so it cannot list them (docs/stores/cookie.md).</p><p><a href=\"/\">Back</a></p>");
    var rows = string.Concat((await admin.ListAsync(user)).Select(s =>
        $"<tr><td><code>{s.Id}</code>{(s.Id == session.Id ? " (this one)" : "")}</td><td>{s.Created:u}</td><td>{s.LastSeen:u}</td><td>{WebUtility.HtmlEncode(s.UserAgent ?? "")}</td></tr>"));
    return Page("Your sessions", $"""
        <table><tr><th>Id</th><th>Created</th><th>Last seen</th><th>User agent</th></tr>{rows}</table>
        <form method="post" action="/sessions/revoke-others"><button>Sign out everywhere else</button></form>
        <p><a href="/">Back</a></p>
        """);
});

app.MapPost("/sessions/revoke-others", async (Session session, SessionAdmin admin) =>
{
    if (session.UserId is { } user) await admin.RevokeAllAsync(user, exceptSessionId: session.Id);
    return Results.Redirect("/sessions");
}).DisableAntiforgery();

// Existing ASP.NET Core code keeps working: HttpContext.Session is served by Satchel.
app.MapGet("/legacy", (HttpContext http) =>
{
    var count = (http.Session.GetInt32("legacy") ?? 0) + 1;
    http.Session.SetInt32("legacy", count);
    return Results.Text($"HttpContext.Session counter: {count}; testValue via ISession: {http.Session.GetString("testValue") ?? "(none)"}");
});

app.Run();

static string DemoSecret(string directory)
{
    var path = Path.Combine(directory, "satchel-demo.secret");
    if (!File.Exists(path)) File.WriteAllText(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)));
    return File.ReadAllText(path).Trim();
}

static IResult Page(string title, string body) => Results.Content($"""
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><title>{title}</title>
    <style>body{"{"}font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem{"}"} td,th{"{"}padding:.2rem .6rem;text-align:left{"}"}</style>
    </head><body><h1>{title}</h1>{body}</body></html>
    """, "text/html; charset=utf-8");
