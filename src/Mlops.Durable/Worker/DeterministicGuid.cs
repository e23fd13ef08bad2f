using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mlops.Durable.Worker;

/// <summary>
/// Name-based (version 5) GUIDs from the instance ID, the orchestration time and a counter: the same
/// algorithm and namespace as durabletask-dotnet, so IDs are stable across replays and SDKs.
/// </summary>
internal static class DeterministicGuid
{
    private static readonly Guid Namespace = Guid.Parse("9e952958-5e33-4daf-827f-2fa12937b875");

    public static Guid Create(string instanceId, DateTime currentUtcDateTime, int counter)
    {
        string name = string.Concat(
            instanceId,
            "_",
            currentUtcDateTime.ToString(DateTimeFormatInfo.InvariantInfo.SortableDateTimePattern, CultureInfo.InvariantCulture),
            "_",
            counter.ToString(CultureInfo.InvariantCulture));
        return Create(Namespace, name);
    }

    public static Guid Create(Guid namespaceId, string name)
    {
        byte[] namespaceBytes = namespaceId.ToByteArray();
        SwapToNetworkOrder(namespaceBytes);
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        byte[] input = new byte[namespaceBytes.Length + nameBytes.Length];
        namespaceBytes.CopyTo(input, 0);
        nameBytes.CopyTo(input, namespaceBytes.Length);

        // SHA-1 is what RFC 4122 version 5 prescribes; it is an identifier, not a security measure.
#pragma warning disable CA5350
        byte[] hash = SHA1.HashData(input);
#pragma warning restore CA5350
        byte[] guid = hash[..16];
        guid[6] = (byte)((guid[6] & 0x0F) | (5 << 4));
        guid[8] = (byte)((guid[8] & 0x3F) | 0x80);
        SwapToNetworkOrder(guid);
        return new Guid(guid);
    }

    private static void SwapToNetworkOrder(byte[] bytes)
    {
        (bytes[0], bytes[3]) = (bytes[3], bytes[0]);
        (bytes[1], bytes[2]) = (bytes[2], bytes[1]);
        (bytes[4], bytes[5]) = (bytes[5], bytes[4]);
        (bytes[6], bytes[7]) = (bytes[7], bytes[6]);
    }
}
