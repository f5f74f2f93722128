using Microsoft.Extensions.Logging;

namespace Satchel;

/// <summary>
/// What happens when the store fails, in one place: the store's own error is logged and counted,
/// then <see cref="StoreFailurePolicy.Fail"/> throws <see cref="SessionStoreException"/> and
/// <see cref="StoreFailurePolicy.Degrade"/> returns, so the session goes on empty and writes nothing.
/// </summary>
internal sealed class StoreFailureHandler(StoreFailurePolicy policy, string storeName, ILogger logger)
{
    /// <summary>
    /// Whether an exception from a store call is the store failing rather than the caller giving
    /// up: an <see cref="OperationCanceledException"/> is the caller's only when its token asked for
    /// it. A client that reports its own timeout as a cancelled task (StackExchange.Redis under a
    /// starved thread pool, through <c>RedisCache</c> too) is a store failure, handled by the policy,
    /// not an error that escapes the request as a 500.
    /// </summary>
    public static bool IsFailure(Exception error, CancellationToken cancellationToken) =>
        error is not OperationCanceledException || !cancellationToken.IsCancellationRequested;

    /// <exception cref="SessionStoreException">The policy is <see cref="StoreFailurePolicy.Fail"/>.</exception>
    public void Handle(Exception error, string operation, SessionKey? key)
    {
        var id = key?.Id ?? "(new)";
        Log.StoreFailed(logger, error, storeName, operation, id);
        if (policy == StoreFailurePolicy.Fail)
            throw new SessionStoreException($"The session store ({storeName}) failed to {operation} session {id}: {error.Message}", error);
        Log.Degraded(logger, id);
    }
}
