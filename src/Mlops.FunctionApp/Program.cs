using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mlops.FunctionApp.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<ProblemDetailsMiddleware>();
// Kestrel in the worker cuts request bodies at 30 MB by default; dataset uploads may be as large as the Functions host
// lets through (100 MiB, FUNCTIONS_REQUEST_BODY_SIZE_LIMIT's default), and the upload route's own rule answers past that.
builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = Mlops.FunctionApp.Api.DatasetFunctions.MaxBytes);
// The Azure SDK logs every HTTP request at Information; only its warnings belong on the host console.
builder.Logging.AddFilter("Azure.", LogLevel.Warning);
// ASP.NET Core's per-request lines (request starting/finished, endpoint, result executing) at Warning, as its templates set
// them: each would be one more gRPC message to the host and one more console line per request (about a third of the
// HTTP path's cost in bench/app/http-hello.sh).
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Services.AddMlopsApp(builder.Configuration);
builder.Build().Run();
