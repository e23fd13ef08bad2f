using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mlops.FunctionApp.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<ProblemDetailsMiddleware>();
// The Azure SDK logs every HTTP request at Information; only its warnings belong on the host console.
builder.Logging.AddFilter("Azure.", LogLevel.Warning);
builder.Services.AddMlopsApp(builder.Configuration);
builder.Build().Run();
