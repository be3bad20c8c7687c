package lifecycle

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"
)

// appRecord is everything the catalog keeps of an application.
type appRecord struct {
	Name        string            `json:"name"`
	ARN         string            `json:"arn"`
	Description string            `json:"description,omitempty"`
	Mode        ApplicationMode   `json:"mode"`
	Created     time.Time         `json:"created"`
	LastUpdate  time.Time         `json:"last_update"`
	Status      ApplicationStatus `json:"status"`
	// VersionID is the current version; Versions holds them all, oldest
	// first (Versions[i].ID == i+1).
	VersionID  int64             `json:"version_id"`
	Versions   []versionRecord   `json:"versions"`
	Snapshots  []snapshotRecord  `json:"snapshots,omitempty"`
	Operations []operationRecord `json:"operations,omitempty"`
	Tags       []Tag             `json:"tags,omitempty"`
	// Run is how the application last started (nil: never started).
	Run *runRecord `json:"run,omitempty"`
	// Seq numbers the operations, LoggingSeq the logging options.
	Seq        int64 `json:"seq"`
	LoggingSeq int64 `json:"logging_seq,omitempty"`
	// MaintenanceStart is the start of the maintenance window (HH:MM);
	// "" is the default.
	MaintenanceStart string `json:"maintenance_start,omitempty"`
}

// versionRecord is one version of the configuration.
type versionRecord struct {
	ID             int64     `json:"id"`
	Created        time.Time `json:"created"`
	UpdatedFrom    int64     `json:"updated_from,omitempty"`
	RolledBackFrom int64     `json:"rolled_back_from,omitempty"`
	RolledBackTo   int64     `json:"rolled_back_to,omitempty"`
	// RolledBack marks a version that a rollback left.
	RolledBack bool      `json:"rolled_back,omitempty"`
	Config     appConfig `json:"config"`
}

// appConfig is a configuration with every default filled in.
type appConfig struct {
	Runtime          RuntimeEnvironment                   `json:"runtime"`
	Role             string                               `json:"role"`
	CodeType         CodeContentType                      `json:"code_type"`
	Code             codeCopy                             `json:"code"`
	SnapshotsEnabled bool                                 `json:"snapshots_enabled"`
	RollbackEnabled  bool                                 `json:"rollback_enabled"`
	Properties       []PropertyGroup                      `json:"properties,omitempty"`
	Checkpoint       CheckpointConfigurationDescription   `json:"checkpoint"`
	Monitoring       MonitoringConfiguration              `json:"monitoring"`
	Parallelism      ParallelismConfigurationDescription  `json:"parallelism"`
	Logging          []CloudWatchLoggingOptionDescription `json:"logging,omitempty"`
}

// codeCopy is the service's copy of a code package, kept in the catalog
// under its MD5.
type codeCopy struct {
	// Builder is the JobBuilder the package names ("" if it is not a
	// runnable package, which fails at start).
	Builder  string             `json:"builder,omitempty"`
	MD5      string             `json:"md5"`
	Size     int64              `json:"size"`
	Location *S3ContentLocation `json:"location,omitempty"`
}

// snapshotRecord is one snapshot of the application: a savepoint of its
// store.
type snapshotRecord struct {
	Name    string             `json:"name"`
	Version int64              `json:"version"`
	Runtime RuntimeEnvironment `json:"runtime"`
	Created time.Time          `json:"created"`
	Status  SnapshotStatus     `json:"status"`
	Ref     string             `json:"ref,omitempty"`
}

// operationRecord is one operation.
type operationRecord struct {
	ID         string          `json:"id"`
	Operation  string          `json:"operation"`
	Status     OperationStatus `json:"status"`
	Start      time.Time       `json:"start"`
	End        time.Time       `json:"end,omitzero"`
	From       int64           `json:"from,omitempty"`
	To         int64           `json:"to,omitempty"`
	Error      string          `json:"error,omitempty"`
	RollbackID string          `json:"rollback_id,omitempty"`
}

// runRecord is how the application last started, so that a restarted
// service resumes it the same way.
type runRecord struct {
	Restore          ApplicationRestoreConfiguration `json:"restore"`
	AllowNonRestored bool                            `json:"allow_non_restored"`
	// Basis is the snapshot the run restored at its start ("": empty).
	Basis   string    `json:"basis,omitempty"`
	Started time.Time `json:"started"`
}

func (r *appRecord) version(id int64) *versionRecord {
	if id < 1 || id > int64(len(r.Versions)) {
		return nil
	}
	return &r.Versions[id-1]
}

func (r *appRecord) current() *versionRecord { return r.version(r.VersionID) }

func (r *appRecord) snapshot(name string) *snapshotRecord {
	for i := range r.Snapshots {
		if r.Snapshots[i].Name == name {
			return &r.Snapshots[i]
		}
	}
	return nil
}

func (r *appRecord) operation(id string) *operationRecord {
	for i := range r.Operations {
		if r.Operations[i].ID == id {
			return &r.Operations[i]
		}
	}
	return nil
}

// latestSnapshot returns the newest READY snapshot, of version v if v > 0.
func (r *appRecord) latestSnapshot(v int64) *snapshotRecord {
	var best *snapshotRecord
	for i := range r.Snapshots {
		s := &r.Snapshots[i]
		if s.Status != SnapshotReady || v > 0 && s.Version != v {
			continue
		}
		if best == nil || !s.Created.Before(best.Created) {
			best = s
		}
	}
	return best
}

// conditionalToken is the token of the current version: it changes with
// every version and names the application's incarnation.
func (r *appRecord) conditionalToken() string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%d", r.Name, r.Created.UnixNano(), r.VersionID))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}

// maxCatalogRecord bounds a catalog record read from disk.
const maxCatalogRecord = 64 << 20

func encodeRecord(r *appRecord) ([]byte, error) { return json.Marshal(r) }

func decodeRecord(data []byte) (*appRecord, error) {
	var r appRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	if err := checkApplicationName(r.Name); err != nil {
		return nil, fmt.Errorf("bad application name: %w", err)
	}
	if r.VersionID < 1 || int(r.VersionID) != len(r.Versions) {
		return nil, fmt.Errorf("version %d of %d versions", r.VersionID, len(r.Versions))
	}
	for i, v := range r.Versions {
		if v.ID != int64(i+1) {
			return nil, fmt.Errorf("version %d at position %d", v.ID, i+1)
		}
	}
	return &r, nil
}
