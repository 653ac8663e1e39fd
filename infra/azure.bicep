// The bot on Azure App Service (Linux, Node 20 LTS) with its Azure Bot, provisioned by the Agents
// Toolkit's arm/deploy (m365agents.yml) or `az deployment group create`. Every setting the bot reads
// is an app setting here; see .env.example for their meaning.
@maxLength(20)
@minLength(4)
@description('Used to generate names for all resources in this file')
param resourceBaseName string

@description('App Service plan SKU. B1 or higher: F1 and D1 have no Always On, and the notification loop must keep running.')
param webAppSKU string = 'B1'

@maxLength(42)
param botDisplayName string

param serverfarmsName string = resourceBaseName
param webAppName string = resourceBaseName
param identityName string = resourceBaseName
param location string = resourceGroup().location

@description('AAD object ids of the administrators, comma-separated.')
param admins string = ''
@description('Days before each anniversary that a renewal reminder is due, comma-separated, or "none".')
param reminderDays string = '30,7,1'
param notifyEvery string = '15m'
param notifyRate string = '5'
param notifyMaxAttempts string = '5'
@secure()
@description('Shared secret of POST /api/events (at least 16 characters); empty turns the events API off.')
param eventsSecret string = ''
param eventsRate string = '10'
param eventsBurst string = '20'
@description('Application ID URI of the tab\'s Entra app registration; empty: Teams sign-in to the tab is refused.')
param tabAppIdUri string = ''
param tabClientId string = ''
param tabAllowedTenants string = ''
param logLevel string = 'info'

@description('Keep the store in an Azure Database for PostgreSQL Flexible Server instead of the JSON file on /home. Needed for more than one instance.')
param usePostgres bool = false
@minValue(1)
@maxValue(10)
@description('App Service instances. Above 1 only with usePostgres: the JSON store has one writer. B1 allows up to 3, S1 up to 10.')
param instanceCount int = 1
param postgresServerName string = '${resourceBaseName}-pg'
@description('Flexible Server compute: Standard_B1ms (Burstable) fits a community of 10,000 members.')
param postgresSku string = 'Standard_B1ms'
param postgresTier string = 'Burstable'
param postgresAdminLogin string = 'pointsadmin'
@secure()
@description('Password of the Flexible Server administrator; required with usePostgres.')
param postgresAdminPassword string = ''

// A deployment asking for what cannot work stops here with the reason in its error, rather than
// silently running one instance or a server without a password: int() of a sentence fails.
var instances = usePostgres || instanceCount == 1 ? instanceCount : int('instanceCount above 1 needs usePostgres: the JSON store has one writer')
var postgresPassword = !usePostgres || !empty(postgresAdminPassword) ? postgresAdminPassword : string(int('usePostgres needs postgresAdminPassword'))

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  location: location
  name: identityName
}

// Linux plan (reserved: true). On the JSON store one instance, never scaled out: the store is a file
// with one writer, and its lock refuses a second process; scale up (a bigger SKU), not out. On
// PostgreSQL every instance serves requests and one at a time sends the notifications.
resource serverfarm 'Microsoft.Web/serverfarms@2023-12-01' = {
  kind: 'linux'
  location: location
  name: serverfarmsName
  sku: {
    name: webAppSKU
    capacity: instances
  }
  properties: {
    reserved: true
  }
}

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  kind: 'app,linux'
  location: location
  name: webAppName
  properties: {
    serverFarmId: serverfarm.id
    httpsOnly: true
    // Any instance answers any request: the store, outbox and claim decisions are in the database.
    clientAffinityEnabled: false
    siteConfig: {
      linuxFxVersion: 'NODE|20-lts' // package.json engines: node >=20.19
      // dist/ is built before the zip deploy; `npm start` would build again in a read-only folder.
      appCommandLine: 'node --disable-warning=DEP0111 --enable-source-maps --max-old-space-size=256 dist/main.js'
      alwaysOn: true
      healthCheckPath: '/healthz'
      numberOfWorkers: instances
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: [
        {
          name: 'WEBSITE_RUN_FROM_PACKAGE'
          value: '1' // the app folder is the deployed zip, mounted read-only
        }
        {
          name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'
          value: 'false' // the zip holds dist/ and production node_modules already
        }
        {
          name: 'WEBSITES_ENABLE_APP_SERVICE_STORAGE'
          value: 'true' // /home is the persistent share that holds the store
        }
        {
          name: 'RUNNING_ON_AZURE'
          value: '1'
        }
        {
          // /home survives restarts and redeployments; the app folder is read-only.
          name: 'DB_FILE'
          value: '/home/data/db.json'
        }
        {
          // Set: the store is in PostgreSQL and DB_FILE is unused. The password is in the URL, so it is
          // an app setting (encrypted at rest), never in a committed file.
          name: 'DATABASE_URL'
          value: usePostgres ? 'postgres://${postgresAdminLogin}:${uriComponent(postgresPassword)}@${postgres.properties.fullyQualifiedDomainName}:5432/${postgresDatabase}?sslmode=verify-full' : ''
        }
        {
          name: 'MicrosoftAppType'
          value: 'UserAssignedMSI'
        }
        {
          name: 'MicrosoftAppId'
          value: identity.properties.clientId
        }
        {
          name: 'MicrosoftAppTenantId'
          value: identity.properties.tenantId
        }
        {
          name: 'ADMINS'
          value: admins
        }
        {
          name: 'REMINDER_DAYS'
          value: reminderDays
        }
        {
          name: 'NOTIFY_EVERY'
          value: notifyEvery
        }
        {
          name: 'NOTIFY_RATE'
          value: notifyRate
        }
        {
          name: 'NOTIFY_MAX_ATTEMPTS'
          value: notifyMaxAttempts
        }
        {
          name: 'EVENTS_SECRET'
          value: eventsSecret
        }
        {
          name: 'EVENTS_RATE'
          value: eventsRate
        }
        {
          name: 'EVENTS_BURST'
          value: eventsBurst
        }
        {
          name: 'TAB_APP_ID_URI'
          value: tabAppIdUri
        }
        {
          name: 'TAB_CLIENT_ID'
          value: tabClientId
        }
        {
          name: 'TAB_ALLOWED_TENANTS'
          value: tabAllowedTenants
        }
        {
          name: 'LOG_LEVEL'
          value: logLevel
        }
      ]
    }
  }
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
}

var postgresDatabase = 'points'

// The optional database. Public access limited to Azure's own addresses (the 0.0.0.0 rule), TLS
// verified against the server's certificate (sslmode=verify-full); the bot creates its tables at its first start.
resource postgres 'Microsoft.DBforPostgreSQL/flexibleServers@2022-12-01' = if (usePostgres) {
  name: postgresServerName
  location: location
  sku: {
    name: postgresSku
    tier: postgresTier
  }
  properties: {
    version: '15'
    administratorLogin: postgresAdminLogin
    administratorLoginPassword: postgresPassword
    storage: {
      storageSizeGB: 32
    }
    backup: {
      backupRetentionDays: 7
      geoRedundantBackup: 'Disabled'
    }
    highAvailability: {
      mode: 'Disabled'
    }
  }
}

resource postgresFromAzure 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2022-12-01' = if (usePostgres) {
  parent: postgres
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

resource postgresPoints 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2022-12-01' = if (usePostgres) {
  parent: postgres
  name: postgresDatabase
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
}

module azureBotRegistration './botRegistration/azurebot.bicep' = {
  name: 'Azure-Bot-registration'
  params: {
    resourceBaseName: resourceBaseName
    identityClientId: identity.properties.clientId
    identityResourceId: identity.id
    identityTenantId: identity.properties.tenantId
    botAppDomain: webApp.properties.defaultHostName
    botDisplayName: botDisplayName
  }
}

// arm/deploy writes these into env/.env.{envName}; manifest/manifest.json reads BOT_ID and TAB_DOMAIN.
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_ENDPOINT string = 'https://${webApp.properties.defaultHostName}'
output TAB_DOMAIN string = webApp.properties.defaultHostName
output BOT_ID string = identity.properties.clientId
output BOT_TENANT_ID string = identity.properties.tenantId
