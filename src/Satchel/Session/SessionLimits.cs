namespace Satchel;

/// <summary>The configured limits on what one session holds, checked at the write that would break them.</summary>
internal sealed class SessionLimits(SatchelOptions options)
{
    /// <exception cref="SessionLimitExceededException">The key or the value is too long.</exception>
    public void Check(string key, int jsonLength)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.Length > options.MaxKeyLength)
            throw new SessionLimitExceededException($"Session key '{key[..Math.Min(32, key.Length)]}...' is {key.Length} characters; the limit is {options.MaxKeyLength} (Satchel:MaxKeyLength).");
        if (jsonLength > options.MaxValueBytes)
            throw new SessionLimitExceededException($"Session value '{key}' is {jsonLength} bytes of JSON; the limit is {options.MaxValueBytes} (Satchel:MaxValueBytes). Keep large data in your database and its id in the session.");
    }

    /// <exception cref="SessionLimitExceededException">The write would take the session past its total size.</exception>
    public void CheckSize(string key, int sessionBytes)
    {
        if (sessionBytes > options.MaxSessionBytes)
            throw new SessionLimitExceededException($"Session value '{key}' would make the session {sessionBytes} bytes (keys and JSON); the limit is {options.MaxSessionBytes} (Satchel:MaxSessionBytes). Every request that reads the session loads all of it: keep large data in your database and its id in the session.");
    }

    /// <exception cref="SessionLimitExceededException">A new key would take the session past its key count.</exception>
    public void CheckCount(string key, int keysHeld)
    {
        if (keysHeld >= options.MaxKeys)
            throw new SessionLimitExceededException($"Session already holds {options.MaxKeys} keys, the limit (Satchel:MaxKeys); '{key}' was not added.");
    }
}
