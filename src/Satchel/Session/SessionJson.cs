using System.Text.Json.Serialization;

namespace Satchel;

/// <summary>Source-generated JSON for the types Satchel itself writes, so the string paths stay trim-safe.</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(byte[]))]
internal sealed partial class SessionJsonContext : JsonSerializerContext;
