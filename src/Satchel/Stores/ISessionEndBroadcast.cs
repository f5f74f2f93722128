namespace Satchel.Stores;

/// <summary>
/// Optional capability of a store shared between processes: carrying a short notice from the
/// process where a session ended (sign-out, revocation, regeneration) to every process sharing the
/// store, so live connections there stop acting for it at once (<see cref="SessionManager.SessionEnded"/>).
/// Best effort, like a pub/sub channel: a notice may be lost while a process is disconnected, and
/// those connections then see no session from their next call. The Redis store offers it
/// (a pub/sub channel); the notice's text is the core's, opaque to the store.
/// </summary>
public interface ISessionEndBroadcast
{
    /// <summary>Sends <paramref name="notice"/> to every process subscribed to <see cref="Received"/>, this one included.</summary>
    ValueTask PublishAsync(string notice, CancellationToken cancellationToken = default);

    /// <summary>A notice some process published. Subscribing starts listening.</summary>
    event Action<string>? Received;
}
