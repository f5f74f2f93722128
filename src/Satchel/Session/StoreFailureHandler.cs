using Microsoft.Extensions.Logging;

namespace Satchel;

/// <summary>
/// What happens when the store fails, in one place: the store's own error is logged and counted,
/// then <see cref="StoreFailurePolicy.Fail"/> throws <see cref="SessionStoreException"/> and
/// <see cref="StoreFailurePolicy.Degrade"/> returns, so the session goes on empty and writes nothing.
/// </summary>
internal sealed class StoreFailureHandler(StoreFailurePolicy policy, string storeName, ILogger logger)
{
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
