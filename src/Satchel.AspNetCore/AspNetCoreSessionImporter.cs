using System.Buffers.Binary;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace Satchel.AspNetCore;

/// <summary>
/// Carries a live ASP.NET Core session over to Satchel on the browser's first request after the
/// switch: the old cookie is unprotected as ASP.NET Core's session middleware does (Data
/// Protection, purpose "SessionMiddleware"), its entry read from the same <see cref="IDistributedCache"/>,
/// its values written into the request's new Satchel session (bytes as <c>ISession</c> stores them,
/// so <c>GetString</c>/<c>GetInt32</c> read the same), and the old cookie expired. The old entry is
/// left to expire by its own idle timeout: if the import's commit fails, the next request imports again.
/// </summary>
internal sealed partial class AspNetCoreSessionImporter(IDataProtectionProvider dataProtection, IDistributedCache cache, AspNetCoreSessionImportOptions options, ILogger<AspNetCoreSessionImporter> logger)
{
    private const byte SerializationRevision = 2;   // ASP.NET Core's DistributedSession format
    private const int IdByteCount = 16;
    private readonly IDataProtector _protector = dataProtection.CreateProtector("SessionMiddleware");

    public string CookieName => options.CookieName;

    /// <summary>Imports the session the old cookie names, if the request carries one, and expires that cookie.</summary>
    public async ValueTask ImportAsync(HttpContext context, Session session)
    {
        var old = context.Request.Cookies[options.CookieName];
        if (old is null) return;
        context.Response.Cookies.Delete(options.CookieName, new CookieOptions { Path = options.CookiePath, Domain = options.CookieDomain });
        await session.LoadAsync(context.RequestAborted).ConfigureAwait(false);
        if (!session.IsNew) return;   // already carried over; the browser still sent the old cookie

        if (Unprotect(old) is not { } cacheKey) return;
        byte[]? entry;
        try
        {
            entry = await cache.GetAsync(cacheKey, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            // A cache client reporting its own timeout as a cancelled task failed too: the request goes on without the import.
            LogCacheFailed(logger, ex);
            return;
        }
        if (entry is null) return;   // expired in the old store
        if (!TryRead(entry, out var values))
        {
            LogUnreadable(logger);
            return;
        }
        foreach (var (key, value) in values) session.SetJson(key, SatchelAspNetSession.ToJson(value));
        LogImported(logger, values.Count, session.Id);
    }

    private string? Unprotect(string cookie)
    {
        try
        {
            var padded = cookie.PadRight(cookie.Length + (4 - cookie.Length % 4) % 4, '=');
            return Encoding.UTF8.GetString(_protector.Unprotect(Convert.FromBase64String(padded)));
        }
        catch (Exception ex) when (ex is FormatException or System.Security.Cryptography.CryptographicException)
        {
            // Forged, or protected with keys this app does not have: no session to import.
            LogUnprotectFailed(logger, ex);
            return null;
        }
    }

    // Revision byte, 3-byte entry count, 16-byte session id, then per entry a 2-byte key length,
    // the UTF-8 key, a 4-byte value length and the value; all big-endian.
    internal static bool TryRead(ReadOnlySpan<byte> entry, out List<KeyValuePair<string, byte[]>> values)
    {
        values = [];
        if (entry.Length < 4 + IdByteCount || entry[0] != SerializationRevision) return false;
        var count = entry[1] << 16 | entry[2] << 8 | entry[3];
        var position = 4 + IdByteCount;
        for (var i = 0; i < count; i++)
        {
            if (entry.Length - position < 2) return false;
            int keyLength = BinaryPrimitives.ReadUInt16BigEndian(entry[position..]);
            position += 2;
            if (entry.Length - position < keyLength + 4) return false;
            var key = Encoding.UTF8.GetString(entry.Slice(position, keyLength));
            position += keyLength;
            var valueLength = BinaryPrimitives.ReadInt32BigEndian(entry[position..]);
            position += 4;
            if (valueLength < 0 || entry.Length - position < valueLength) return false;
            values.Add(new(key, entry.Slice(position, valueLength).ToArray()));
            position += valueLength;
        }
        return true;
    }

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Imported {Count} values of an ASP.NET Core session into Satchel session {SessionId}")]
    private static partial void LogImported(ILogger logger, int count, string sessionId);

    [LoggerMessage(EventId = 402, Level = LogLevel.Debug, Message = "An ASP.NET Core session cookie did not unprotect (forged, or Data Protection keys differ from the old app's); nothing imported")]
    private static partial void LogUnprotectFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "Reading an ASP.NET Core session from the distributed cache failed; nothing imported this time")]
    private static partial void LogCacheFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 404, Level = LogLevel.Warning, Message = "An ASP.NET Core session entry is not in the format Satchel reads (revision 2); nothing imported")]
    private static partial void LogUnreadable(ILogger logger);
}
