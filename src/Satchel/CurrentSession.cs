namespace Satchel;

/// <summary>
/// The session of the request in progress, for the <see cref="Session"/> service. A server
/// adapter sets it for the request's async flow; nothing is allocated in the DI scope for it.
/// </summary>
internal static class CurrentSession
{
    private static readonly AsyncLocal<Session?> Slot = new();

    public static Session? Value
    {
        get => Slot.Value;
        set => Slot.Value = value;
    }
}
