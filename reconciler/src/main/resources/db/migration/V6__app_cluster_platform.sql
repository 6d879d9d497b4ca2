-- An app's own cluster is named after its platform (kubernetes-app:<team>/<name>, yarn-app:<team>/<name>)
-- instead of app:<team>/<name>, so that Git moving an app from YARN to Kubernetes moves its job. A
-- status's deployment mode is the one its job was started with.
UPDATE app_statuses
SET cluster = CASE WHEN deployment_mode = 'kubernetes-application' THEN 'kubernetes-app:' ELSE 'yarn-app:' END
              || substring(cluster FROM 5)
WHERE cluster LIKE 'app:%';
