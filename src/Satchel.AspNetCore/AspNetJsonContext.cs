using System.Text.Json.Serialization;

namespace Satchel.AspNetCore;

/// <summary>Raw bytes that are not UTF-8 text, as ISession.Set stores them.</summary>
internal sealed record BytesValue([property: JsonPropertyName("$bytes")] byte[] Bytes);

[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(BytesValue))]
internal sealed partial class AspNetJsonContext : JsonSerializerContext;
