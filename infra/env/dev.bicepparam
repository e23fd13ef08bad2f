// Development: smallest footprint that still trains (4 GB instances), locally redundant storage.
using '../main.bicep'

param environmentName = 'dev'
param storageSku = 'Standard_LRS'
param instanceMemoryMB = 4096
param maximumInstanceCount = 40
param logRetentionInDays = 30
param softDeleteDays = 7
// App Service authentication's Entra ID app registration (client id), from the deploying environment's settings.
param authClientId = readEnvironmentVariable('MLOPS_AUTH_CLIENT_ID', '')
