using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Satchel;

/// <summary>
/// The whole session sealed in the browser's cookies: no server state. Beside the session cookie
/// (the signed token, as with every store) a second cookie, <c>{name}.data</c>, carries the record
/// — values, lifetimes, user, and the time it was sealed — encrypted and authenticated with
/// AES-256-GCM (<see cref="CookieSealer"/>) under keys derived from <see cref="SatchelOptions.Secrets"/>.
/// The server checks the sealed expiry itself; a value sealed with a retired secret is accepted and
/// sealed again with the current one; once the secret is removed it is rejected. The data cookie
/// must fit the browser's 4,096 bytes: a write that would pass that throws
/// <see cref="SessionLimitExceededException"/> at the write. Without
/// <see cref="CookieSessionStoreOptions.Revocations"/>, a copied cookie stays valid until it expires
/// (logout expires the browser's own cookies, not copies). The store works through the session of
/// a request (opened by an adapter): called outside one, it holds nothing.
/// </summary>
public sealed class CookieSessionStore : ISessionStore, IRequestBoundStore, IDisposable
{
    private static readonly TimeSpan NoTouch = TimeSpan.FromDays(36500);
    private readonly CookieSessionStoreOptions _options;
    private readonly RevocationList? _revocations;

    /// <summary>A cookie store for an app with these options (its secrets and cookie settings).</summary>
    /// <exception cref="InvalidOperationException">No secret is configured: the cookie store encrypts with keys derived from them.</exception>
    public CookieSessionStore(SatchelOptions options, CookieSessionStoreOptions? storeOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Secrets.Count == 0)
            throw new InvalidOperationException(
                "The cookie store encrypts sessions with keys derived from Satchel:Secrets, but no secret is configured. " +
                "Set Satchel:Secrets in configuration (e.g. the environment variable Satchel__Secrets__0) or options.Secrets.Add(...), " +
                "with a random value of at least 32 characters such as the output of `openssl rand -base64 48`.");
        _options = storeOptions ?? new CookieSessionStoreOptions();
        if (_options.RevocationLifetime <= TimeSpan.Zero)
            throw new InvalidOperationException($"CookieSessionStoreOptions.RevocationLifetime must be positive (it is {_options.RevocationLifetime}).");
        Cookie = options.Cookie;
        DataCookieName = options.Cookie.EffectiveName + ".data";
        Sealer = new CookieSealer(options.Secrets, DataCookieName);
        if (_options.Revocations is { } server) _revocations = new RevocationList(server, _options.RevocationLifetime);
    }

    /// <summary>The name of the cookie that carries the sealed session.</summary>
    public string DataCookieName { get; }

    /// <inheritdoc />
    /// <remarks>Shared: every process that has the same secrets opens the same cookies.</remarks>
    public SessionStoreGuarantees Guarantees => SessionStoreGuarantees.Shared;

    internal SessionCookieOptions Cookie { get; }

    internal CookieSealer Sealer { get; }

    internal RevocationList? Revocations => _revocations;

    /// <inheritdoc />
    public T? GetCapability<T>() where T : class => this as T ?? _revocations as T;

    /// <summary>Releases the ciphers (one per secret and thread).</summary>
    public void Dispose() => Sealer.Dispose();

    /// <inheritdoc />
    public IRequestBoundView ForRequest(string? cookieHeader, bool secure, IResponseCookies? response) => new CookieSessionJar(this, cookieHeader, response, secure);

    /// <summary>Outside a request there is no cookie to read: nothing loads.</summary>
    public ValueTask<SessionRecord?> LoadAsync(SessionKey key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default) => new((SessionRecord?)null);

    /// <summary>Not possible outside a request: the session would go to no browser.</summary>
    /// <exception cref="InvalidOperationException">Always.</exception>
    public ValueTask CreateAsync(SessionKey key, SessionRecord record, CancellationToken cancellationToken = default) => throw OutsideRequest();

    /// <summary>Not possible outside a request: the session lives in a browser.</summary>
    /// <exception cref="InvalidOperationException">Always.</exception>
    public ValueTask<bool> UpdateAsync(SessionKey key, SessionChange change, CancellationToken cancellationToken = default) => throw OutsideRequest();

    /// <summary>Outside a request there is no cookie to expire: nothing happens. Revoke a user's cookies with <see cref="CookieSessionStoreOptions.Revocations"/>.</summary>
    public ValueTask DeleteAsync(SessionKey key, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    private static InvalidOperationException OutsideRequest() =>
        new("The cookie store keeps each session in its browser's cookies, so it writes only through a request's session (UseSatchel, StartAsync, or an adapter's Open).");

    /// <summary>
    /// The per-user "not before" times, kept as tiny records in a server store. A cookie's sealed
    /// time has whole milliseconds, and the server store keeps what it is given at its own
    /// precision (ticks in memory, milliseconds in Redis), so a revocation stamps the first
    /// millisecond after it: every cookie sealed up to and including the millisecond of the
    /// revocation is revoked, at one precision on every store. A cookie this process seals for the
    /// user afterwards (the same request's <see cref="Session.RegenerateAsync"/>, "sign out
    /// everywhere else") is stamped no earlier than that millisecond, so it is never revoked by the
    /// revocation that came before it.
    /// </summary>
    internal sealed class RevocationList(ISessionStore server, TimeSpan lifetime) : ISessionRevocation
    {
        // This process's own revocations whose "not before" may still be ahead of the clock.
        private readonly ConcurrentDictionary<string, DateTimeOffset> _recent = new(StringComparer.Ordinal);

        public async ValueTask RevokeUserAsync(string userId, DateTimeOffset before, CancellationToken cancellationToken = default)
        {
            ArgumentException.ThrowIfNullOrEmpty(userId);
            var notBefore = DateTimeOffset.FromUnixTimeMilliseconds(before.ToUnixTimeMilliseconds() + 1);
            foreach (var (user, stamp) in _recent)
            {
                if (stamp <= before) _recent.TryRemove(new KeyValuePair<string, DateTimeOffset>(user, stamp));
            }
            _recent[userId] = notBefore;
            var record = new SessionRecord(new SessionMetadata(notBefore, lifetime, AbsoluteDeadline: null), notBefore, ReadOnlyMemory<byte>.Empty);
            await server.CreateAsync(KeyOf(userId), record, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Whether a cookie of <paramref name="userId"/> sealed at <paramref name="sealedAt"/> (whole milliseconds) was revoked.</summary>
        public async ValueTask<bool> IsRevokedAsync(string userId, DateTimeOffset sealedAt, DateTimeOffset now, CancellationToken cancellationToken)
        {
            var revocation = await server.LoadAsync(KeyOf(userId), now, NoTouch, cancellationToken).ConfigureAwait(false);
            return revocation is not null && sealedAt < revocation.Metadata.Created;
        }

        /// <summary>
        /// <paramref name="record"/> as this process may seal it: stamped no earlier than this
        /// process's latest revocation of its user, so a cookie sealed after a revocation is not
        /// revoked by it even within the same millisecond.
        /// </summary>
        public SessionRecord SealableAfterRevocations(SessionRecord record)
        {
            if (_recent.IsEmpty || record.Metadata.UserId is not { } user || !_recent.TryGetValue(user, out var notBefore)) return record;
            if (record.LastAccess >= notBefore)
            {
                _recent.TryRemove(new KeyValuePair<string, DateTimeOffset>(user, notBefore));
                return record;
            }
            return new SessionRecord(record.Metadata, notBefore, record.PackedValues, record.Touched);
        }

        // No token hashes to this: a SHA-256 preimage of a fixed, labelled string.
        private static SessionKey KeyOf(string userId) =>
            SessionKey.FromBytes(SHA256.HashData(Encoding.UTF8.GetBytes("Satchel cookie store revocation\0" + userId)));
    }
}
