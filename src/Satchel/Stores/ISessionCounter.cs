namespace Satchel.Stores;

/// <summary>
/// A store capability: counting the sessions it holds, cheaply enough to be read at every metrics
/// export (<c>satchel.session.active</c>). The memory store offers it; a shared server store
/// (Redis, SQLite) would need a scan or a second write per session, so it does not.
/// </summary>
public interface ISessionCounter
{
    /// <summary>Sessions held now; expired ones not yet swept may count.</summary>
    long LiveSessions { get; }
}
