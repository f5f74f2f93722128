using System.Text.Json.Serialization;
using Satchel;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddSatchel();                                   // memory store; secrets from configuration
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJson.Default));
var app = builder.Build();
app.UseSatchel();

// Return types spelled out: the endpoint generator cannot see the JSON generator's AppJson members.
app.MapGet("/cart", Cart (Session session) => session.Get("cart", AppJson.Default.Cart) ?? new Cart([]));

app.MapPost("/cart/{item}", Cart (string item, Session session) =>
{
    Cart cart = session.Get("cart", AppJson.Default.Cart) ?? new Cart([]);
    cart = new Cart([.. cart.Items, item]);
    session.Set("cart", cart, AppJson.Default.Cart);            // JsonTypeInfo: no reflection, no trim warning
    return cart;
});

app.Run();

sealed record Cart(List<string> Items);

[JsonSerializable(typeof(Cart))]
sealed partial class AppJson : JsonSerializerContext;
