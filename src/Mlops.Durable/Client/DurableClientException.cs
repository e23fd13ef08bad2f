namespace Mlops.Durable.Client;

/// <summary>The Durable HTTP API refused or failed a request. <see cref="StatusCode"/> tells which way (§6.2).</summary>
public sealed class DurableClientException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DurableClientException(string message, int statusCode, string? responseBody = null, Exception? innerException = null)
        : base(message, innerException)
    {
        this.StatusCode = statusCode;
        this.ResponseBody = responseBody;
    }

    /// <summary>The HTTP status: 400 bad request, 404 unknown instance, 409/500 instance exists, 410 instance already finished, ...</summary>
    public int StatusCode { get; }

    /// <summary>The response body as received, if any.</summary>
    public string? ResponseBody { get; }

    /// <summary>True for 404: the instance does not exist.</summary>
    public bool IsNotFound => this.StatusCode == 404;

    /// <summary>True for 410: the instance already completed, failed, terminated or was canceled.</summary>
    public bool IsGone => this.StatusCode == 410;
}
