// Package lifecycle will hold the application lifecycle service of Amazon
// Managed Service for Apache Flink, in Go: applications with a
// configuration and a version id that increments on every update; statuses
// (READY, STARTING, RUNNING, UPDATING, STOPPING, ROLLING_BACK, …) and their
// transitions; operations with an id and an outcome; snapshots taken on stop
// and update; starts with the restore types RESTORE_FROM_LATEST_SNAPSHOT,
// RESTORE_FROM_CUSTOM_SNAPSHOT and SKIP_RESTORE_FROM_SNAPSHOT; and rollback
// to the previous version. It will run jobs with package flinksim.
//
// It is planned: the package has no API yet.
package lifecycle
