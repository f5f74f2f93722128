namespace Satchel;

/// <summary>
/// Settings for Satchel sessions. Every property has a working default; bind them from the
/// configuration section <c>Satchel</c> or set them in <c>AddSatchel(o =&gt; ...)</c>.
/// </summary>
public sealed class SatchelOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "Satchel";

    /// <summary>How long a session lives without a request (sliding). Default 30 minutes.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The longest a session may live from its creation, whatever its activity. Default 24 hours;
    /// <see langword="null"/> for no absolute limit. <see cref="Session.RememberMe"/> can extend it
    /// for one session.
    /// </summary>
    public TimeSpan? AbsoluteTimeout { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// A session that is only read has its expiry refreshed at most once per this interval, so a
    /// read-only request costs one store round trip. Default 1 minute; must be below
    /// <see cref="IdleTimeout"/>.
    /// </summary>
    public TimeSpan TouchInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Keys that sign session cookies: the first signs, every one verifies (rotation: put the new
    /// key first and keep the old one until its cookies have expired). Each must be at least 32
    /// characters. With none configured, a random key is made per process and a warning logged;
    /// a store shared between processes then refuses to start.
    /// </summary>
    public IList<string> Secrets { get; } = [];

    /// <summary>The session cookie's settings.</summary>
    public SessionCookieOptions Cookie { get; } = new();

    /// <summary>
    /// A request header that may carry the session token instead of the cookie, for API and mobile
    /// clients that keep no cookies (for example <c>X-Session-Token</c>). Default <see langword="null"/>:
    /// cookies only. A request that carries the header uses it both ways: the token is read from it
    /// (signed, verified and strict like the cookie) and a new or rotated token comes back in the
    /// same response header, with no cookie set; an empty value back means the session ended. A
    /// client starts by sending the header empty. Requests without it use the cookie as before.
    /// Needs a server-side store (not the cookie store).
    /// </summary>
    public string? TokenHeader { get; set; }

    /// <summary>Handlers for sessions created, regenerated, destroyed and expired.</summary>
    public SessionEvents Events { get; set; } = new();

    /// <summary>What a request gets when the store fails. Default <see cref="StoreFailurePolicy.Fail"/>.</summary>
    public StoreFailurePolicy StoreFailurePolicy { get; set; } = StoreFailurePolicy.Fail;

    /// <summary>Most keys one session may hold. Default 256.</summary>
    public int MaxKeys { get; set; } = 256;

    /// <summary>Longest key, in characters. Default 256.</summary>
    public int MaxKeyLength { get; set; } = 256;

    /// <summary>Largest value, in bytes of its JSON. Default 64 KiB.</summary>
    public int MaxValueBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Largest session, in bytes of its keys and JSON values together. Default 256 KiB. Every
    /// request that reads a session loads all of it, and on a shared Redis a big session stalls
    /// everyone: a 16 MiB session took 325–403 ms of Redis's single thread per load, and one client
    /// reading it cut other users' reads from 7,085 to 154 requests/s. 256 KiB (four of the largest
    /// values) keeps one load to a few milliseconds of Redis time.
    /// </summary>
    public int MaxSessionBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// Whether the app needs <see cref="Session.IncrementAsync"/> and <see cref="Session.ReplaceJsonAsync"/>:
    /// the app then refuses to start on a store that cannot change a value in one step (the cookie
    /// and <c>IDistributedCache</c> stores), instead of failing at the first call. Default <see langword="false"/>.
    /// </summary>
    public bool RequireOneStepValues { get; set; }

    /// <summary>
    /// Invalid session cookies (malformed, wrongly signed, unknown to the store) one client may
    /// send within <see cref="InvalidCookieWindow"/> before Satchel logs a warning (event 12),
    /// counts it in <c>satchel.cookie.rejection_bursts</c> and asks <see cref="OnInvalidCookieBurst"/>.
    /// Default 20. Needs the adapter to know the client's address (both built-in adapters do).
    /// </summary>
    public int InvalidCookieLimit { get; set; } = 20;

    /// <summary>The window <see cref="InvalidCookieLimit"/> counts in. Default 1 minute.</summary>
    public TimeSpan InvalidCookieWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Called for each invalid cookie of a client past <see cref="InvalidCookieLimit"/>; return
    /// <see langword="true"/> to refuse the request (<see cref="SessionThrottledException"/>, 429 in
    /// ASP.NET Core). Default none: log and count only.
    /// </summary>
    public Func<InvalidCookieBurst, bool>? OnInvalidCookieBurst { get; set; }

    /// <summary>
    /// How long a request of an exclusive endpoint waits for the requests ahead of it on the same
    /// session. Default 10 seconds; past it the request fails with <see cref="SessionLockTimeoutException"/>.
    /// </summary>
    public TimeSpan ExclusiveTimeout { get; set; } = TimeSpan.FromSeconds(10);

    internal void Validate()
    {
        var errors = new List<string>();
        if (IdleTimeout <= TimeSpan.Zero) errors.Add($"Satchel:IdleTimeout must be positive (was {IdleTimeout}).");
        if (AbsoluteTimeout is { } absolute && absolute <= TimeSpan.Zero) errors.Add($"Satchel:AbsoluteTimeout must be positive or null (was {absolute}).");
        if (TouchInterval < TimeSpan.Zero || TouchInterval >= IdleTimeout) errors.Add($"Satchel:TouchInterval must be at least zero and below IdleTimeout (was {TouchInterval}, IdleTimeout {IdleTimeout}).");
        if (MaxKeys <= 0 || MaxKeyLength <= 0 || MaxValueBytes <= 0 || MaxSessionBytes <= 0) errors.Add("Satchel:MaxKeys, MaxKeyLength, MaxValueBytes and MaxSessionBytes must be positive.");
        if (InvalidCookieLimit <= 0 || InvalidCookieWindow <= TimeSpan.Zero) errors.Add("Satchel:InvalidCookieLimit and InvalidCookieWindow must be positive.");
        if (ExclusiveTimeout <= TimeSpan.Zero) errors.Add($"Satchel:ExclusiveTimeout must be positive (was {ExclusiveTimeout}).");
        for (var i = 0; i < Secrets.Count; i++)
        {
            if (string.IsNullOrEmpty(Secrets[i]))
                errors.Add($"Satchel:Secrets:{i} is empty: the value given to Secrets.Add was null or empty, usually a configuration key that is not set " +
                    "(e.g. builder.Configuration[\"SessionKey\"] with no SessionKey in appsettings, user secrets or the environment). " +
                    "Set that key, or Satchel:Secrets:0 (environment variable Satchel__Secrets__0), to a random value such as the output of `openssl rand -base64 48`.");
            else if (Secrets[i].Length < SecretRules.MinimumLength)
                errors.Add($"Satchel:Secrets:{i} is {Secrets[i].Length} characters, shorter than {SecretRules.MinimumLength}; use a random value, e.g. the output of `openssl rand -base64 48`.");
            else if (SecretRules.NotRandom(Secrets[i]) is { } why)
                errors.Add($"Satchel:Secrets:{i} is not a random value ({why}); use one, e.g. the output of `openssl rand -base64 48`.");
        }
        if (Events is null) errors.Add("Satchel:Events must not be null.");
        if (TokenHeader is { } header && (header.Length == 0 || header.Any(c => c <= ' ' || c >= 127 || c == ':')))
            errors.Add($"Satchel:TokenHeader must be a header name (letters, digits and dashes, e.g. X-Session-Token); was '{header}'.");
        Cookie.Validate(errors);
        if (errors.Count > 0)
            throw new InvalidOperationException("Invalid Satchel options: " + string.Join(" ", errors));
    }
}
