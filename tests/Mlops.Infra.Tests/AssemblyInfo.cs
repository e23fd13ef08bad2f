// The Bicep CLI package, the publish script and the package under test are all linux-x64.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
