// Production: zone-redundant storage, longer log retention and soft delete, room to scale out.
using '../main.bicep'

param environmentName = 'prod'
param storageSku = 'Standard_ZRS'
param instanceMemoryMB = 4096
param maximumInstanceCount = 100
param logRetentionInDays = 90
param softDeleteDays = 30
param extraTags = {
  criticality: 'high'
}
// App Service authentication's Entra ID app registration (client id), from the deploying environment's settings.
param authClientId = readEnvironmentVariable('MLOPS_AUTH_CLIENT_ID', '')
