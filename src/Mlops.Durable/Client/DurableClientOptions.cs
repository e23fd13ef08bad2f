using System.Text.Json;

namespace Mlops.Durable.Client;

/// <summary>Where the Durable HTTP API is and which task hub to address.</summary>
public sealed class DurableClientOptions
{
    /// <summary>The webhook base, e.g. <c>http://localhost:7071/runtime/webhooks/durabletask</c>.</summary>
    public required Uri BaseUri { get; init; }

    /// <summary>The task hub (<c>taskHub</c> query parameter); null leaves the extension's default.</summary>
    public string? TaskHub { get; init; }

    /// <summary>The storage connection name (<c>connection</c> query parameter); null leaves the default ("Storage").</summary>
    public string? ConnectionName { get; init; }

    /// <summary>Extra query text the webhooks require, e.g. <c>code=&lt;systemKey&gt;</c>, without '?'.</summary>
    public string? RequiredQueryStringParameters { get; init; }

    /// <summary>JSON settings for inputs and event payloads; default <see cref="JsonSerializerOptions.Web"/>.</summary>
    public JsonSerializerOptions SerializerOptions { get; init; } = JsonSerializerOptions.Web;

    /// <summary>Wait between status polls in <see cref="DurableClient.WaitForCompletionAsync"/>; default 1 s.</summary>
    public TimeSpan PollingInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The clock used for polling waits (replace it in tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
