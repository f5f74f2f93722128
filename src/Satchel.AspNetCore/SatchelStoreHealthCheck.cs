using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Satchel.AspNetCore;

/// <summary>
/// Healthy when Satchel's session store answers a load of a random key (which it does not hold):
/// the same call a request makes, through the whole store — Redis, a SQLite file, a cache — so any
/// store is checked the same way, and the answer names the store and its own error.
/// </summary>
internal sealed class SatchelStoreHealthCheck(ISessionStore store, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var probe = SessionKey.FromBytes(RandomNumberGenerator.GetBytes(SessionKey.ByteLength));
        var started = Stopwatch.GetTimestamp();
        try
        {
            await store.LoadAsync(probe, time.GetUtcNow(), TimeSpan.FromDays(36500), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A client reporting its own timeout as a cancelled task is the store failing, as for requests
            // (StoreFailureHandler.IsFailure, internal to the core): reported with its status and error.
            return new HealthCheckResult(context.Registration.FailureStatus, $"Satchel's session store ({store.GetType().Name}) failed: {ex.Message}", ex);
        }
        return HealthCheckResult.Healthy($"Satchel's session store ({store.GetType().Name}) answered in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.0} ms.");
    }
}
