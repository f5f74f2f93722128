namespace Satchel.AspNetCore;

/// <summary>
/// A hub invocation's sink: there is no response to carry a cookie. The session then refuses what
/// would need one (a new session, a new token, a persistent cookie) at the call; an ended
/// session's expired cookie simply goes nowhere, as the browser's next request finds no session anyway.
/// </summary>
internal sealed class HubCookieSink : SessionCookieSink
{
    public static readonly HubCookieSink Instance = new();

    protected override bool HasStarted => false;

    protected override bool CanSendCookie => false;

    protected override string[] GetHeader(string name) => [];

    protected override void SetHeader(string name, string[] values) { }
}
