using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
// As ASP.NET Core's templates: its per-request Information lines would each be a gRPC log message to the host.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Build().Run();
