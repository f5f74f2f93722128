using System.Diagnostics;

namespace Satchel.Redis.Tests.Support;

/// <summary>
/// The Redis store connects in the background and fails requests fast until it is connected, so a
/// test that means to start with Redis up waits for the connection first (as a readiness probe would).
/// </summary>
public static class RedisReady
{
    public static async Task WaitAsync(ISessionStore store)
    {
        var redis = store.GetCapability<RedisSessionStore>() ?? throw new InvalidOperationException($"{store.GetType().Name} is not the Redis store.");
        var waited = Stopwatch.StartNew();
        while (redis.Connection?.IsConnected != true)
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException("The Redis session store did not connect within 30 s.");
            await Task.Delay(20);
        }
    }
}
