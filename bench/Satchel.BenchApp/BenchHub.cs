using System.Globalization;
using Microsoft.AspNetCore.SignalR;

namespace Satchel.Bench;

/// <summary>The work of /read and /hit as hub methods (bench/hub.sh): the same session, the same values.</summary>
internal sealed class BenchHub : Hub
{
    public string Read() => Context.GetSession()["user"] ?? "none";

    public string Hit()
    {
        var session = Context.GetSession();
        var hits = session.Get<int>("hits") + 1;
        session.Set("hits", hits);
        return hits.ToString(CultureInfo.InvariantCulture);
    }
}
