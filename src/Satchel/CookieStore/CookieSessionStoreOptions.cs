namespace Satchel;

/// <summary>Settings of the cookie store (<see cref="CookieSessionStore"/>).</summary>
public sealed class CookieSessionStoreOptions
{
    /// <summary>
    /// A server-side store that holds a "not before" time per user, so that "sign out everywhere"
    /// (<see cref="SessionAdmin.RevokeAllAsync"/>) works: every cookie of the user sealed before
    /// that time is rejected. Any store serves (memory for one process, Redis or SQLite for many);
    /// each request of a signed-in user then reads it once. Default <see langword="null"/>: no
    /// revocation, and a copied cookie stays valid until it expires.
    /// </summary>
    public ISessionStore? Revocations { get; set; }

    /// <summary>How long a revocation is kept: longer than any session lives. Default 400 days, the longest a browser keeps a cookie.</summary>
    public TimeSpan RevocationLifetime { get; set; } = TimeSpan.FromDays(400);
}
