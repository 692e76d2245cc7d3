namespace Ledger.Web.Security;

/// <summary>
/// Declares the role an endpoint needs (`admin` passes every check). Read by <see cref="ApiKeyGate"/>
/// from the endpoint's metadata, where Wolverine puts the attributes of the endpoint method.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class RequiresRoleAttribute(string role) : Attribute
{
    public string Role { get; } = role;
}
