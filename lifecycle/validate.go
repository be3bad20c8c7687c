package lifecycle

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The limits of the model (kinesisanalyticsv2-2018-05-23) and of the service.
const (
	maxNameLength        = 128  // ApplicationName
	maxDescriptionLength = 1024 // ApplicationDescription
	maxARNLength         = 2048 // RoleARN, BucketARN, ResourceARN
	maxFileKeyLength     = 1024 // FileKey
	maxSnapshotName      = 256  // SnapshotName
	maxPropertyGroups    = 50   // PropertyGroups
	maxGroupIDLength     = 50   // Id
	maxProperties        = 50   // PropertyMap
	maxPropertyLength    = 2048 // PropertyKey, PropertyValue
	maxTags              = 50   // tags per resource (the service's limit; the model lets 200 through a request)
	maxTagKeyLength      = 128  // TagKey
	maxTagValueLength    = 256  // TagValue
	maxListLimit         = 50   // every list's Limit
	maxVersionID         = 999999999
	maxZipFileSize       = 52428800 // ZipFileContent, CodeSize
	maxTokenLength       = 512      // ConditionalToken, NextToken
	maxOperationIDLength = 64
	// MaxSnapshots is how many snapshots an application may have.
	MaxSnapshots = 1000
	// KPULimit is the most KPUs an application may use: its parallelism is
	// at most ParallelismPerKPU × KPULimit.
	KPULimit = 64
)

var (
	namePattern  = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`) // ApplicationName, SnapshotName, Id
	arnPattern   = regexp.MustCompile(`^arn:.*$`)
	tokenPattern = regexp.MustCompile(`^[a-zA-Z0-9\-_+/=]+$`) // ConditionalToken
)

// checkName validates a name of the model's [a-zA-Z0-9_.-]+ kind.
func checkName(member, v string, maxLen int) error {
	switch {
	case v == "":
		return invalidArgument("%s is required", member)
	case len(v) > maxLen:
		return invalidArgument("%s is %d characters long, longer than %d", member, len(v), maxLen)
	case !namePattern.MatchString(v):
		return invalidArgument("%s %q does not match the pattern [a-zA-Z0-9_.-]+", member, v)
	}
	return nil
}

func checkApplicationName(v string) error { return checkName("ApplicationName", v, maxNameLength) }

func checkSnapshotName(v string) error { return checkName("SnapshotName", v, maxSnapshotName) }

// checkLength validates a string's length in characters.
func checkLength(member, v string, minLen, maxLen int) error {
	n := utf8.RuneCountInString(v)
	if n < minLen || n > maxLen {
		if minLen > 0 && v == "" {
			return invalidArgument("%s is required", member)
		}
		return invalidArgument("%s is %d characters long; it must be %d to %d", member, n, minLen, maxLen)
	}
	return nil
}

func checkARN(member, v string) error {
	if err := checkLength(member, v, 1, maxARNLength); err != nil {
		return err
	}
	if !arnPattern.MatchString(v) {
		return invalidArgument("%s %q is not an ARN (arn:…)", member, v)
	}
	return nil
}

func checkLimit(limit int) error {
	if limit < 0 || limit > maxListLimit {
		return invalidArgument("Limit %d is out of range: it must be 1 to %d", limit, maxListLimit)
	}
	return nil
}

func listLimit(limit int) int {
	if limit == 0 {
		return maxListLimit
	}
	return limit
}

func checkVersionID(member string, v int64) error {
	if v < 1 || v > maxVersionID {
		return invalidArgument("%s %d is out of range: it must be 1 to %d", member, v, maxVersionID)
	}
	return nil
}

func checkRuntime(r RuntimeEnvironment) error {
	if r == "" {
		return invalidArgument("RuntimeEnvironment is required")
	}
	if !slices.Contains(runtimeEnvironments, r) {
		return invalidArgument("RuntimeEnvironment %q is not one of %v", r, runtimeEnvironments)
	}
	if !strings.HasPrefix(string(r), "FLINK-") {
		return unsupported("RuntimeEnvironment %s is not supported: this service runs Flink applications", r)
	}
	return nil
}

func checkPropertyGroups(groups []PropertyGroup) error {
	if len(groups) > maxPropertyGroups {
		return invalidArgument("PropertyGroups has %d groups: at most %d", len(groups), maxPropertyGroups)
	}
	seen := map[string]bool{}
	for _, g := range groups {
		if err := checkName("PropertyGroupId", g.PropertyGroupID, maxGroupIDLength); err != nil {
			return err
		}
		if seen[g.PropertyGroupID] {
			return invalidArgument("PropertyGroupId %q appears twice", g.PropertyGroupID)
		}
		seen[g.PropertyGroupID] = true
		if len(g.PropertyMap) < 1 || len(g.PropertyMap) > maxProperties {
			return invalidArgument("PropertyMap of group %q has %d properties; it must have 1 to %d", g.PropertyGroupID, len(g.PropertyMap), maxProperties)
		}
		for k, v := range g.PropertyMap {
			if err := checkLength("PropertyKey (group "+g.PropertyGroupID+")", k, 1, maxPropertyLength); err != nil {
				return err
			}
			if err := checkLength("PropertyValue of "+k, v, 1, maxPropertyLength); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkTags(tags []Tag) error {
	if len(tags) > maxTags {
		return &TooManyTagsException{Message: fmt.Sprintf("Tags: %d tags, at most %d per application", len(tags), maxTags)}
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if err := checkLength("TagKey", t.Key, 1, maxTagKeyLength); err != nil {
			return err
		}
		if err := checkLength("TagValue", t.Value, 0, maxTagValueLength); err != nil {
			return err
		}
		if strings.HasPrefix(t.Key, "aws:") {
			return invalidArgument("tag key %q: the aws: prefix is reserved", t.Key)
		}
		if seen[t.Key] {
			return invalidArgument("tag key %q appears twice", t.Key)
		}
		seen[t.Key] = true
	}
	return nil
}

func checkConfigurationType(member string, t ConfigurationType, required bool) error {
	switch t {
	case ConfigurationDefault, ConfigurationCustom:
		return nil
	case "":
		if required {
			return invalidArgument("%s is required", member)
		}
		return nil
	}
	return invalidArgument("%s %q is not DEFAULT or CUSTOM", member, t)
}

func checkRestoreConfiguration(r *ApplicationRestoreConfiguration) error {
	if r == nil {
		return nil
	}
	switch r.ApplicationRestoreType {
	case SkipRestoreFromSnapshot, RestoreFromLatestSnapshot:
		if r.SnapshotName != "" {
			return invalidArgument("SnapshotName is only for %s", RestoreFromCustomSnapshot)
		}
	case RestoreFromCustomSnapshot:
		return checkSnapshotName(r.SnapshotName)
	case "":
		return invalidArgument("ApplicationRestoreType is required")
	default:
		return invalidArgument("ApplicationRestoreType %q is not one of %s, %s, %s", r.ApplicationRestoreType,
			SkipRestoreFromSnapshot, RestoreFromLatestSnapshot, RestoreFromCustomSnapshot)
	}
	return nil
}

func checkLogLevel(l LogLevel) error {
	switch l {
	case "", LogInfo, LogWarn, LogError, LogDebug:
		return nil
	}
	return invalidArgument("LogLevel %q is not INFO, WARN, ERROR or DEBUG", l)
}

func checkMetricsLevel(l MetricsLevel) error {
	switch l {
	case "", MetricsApplication, MetricsTask, MetricsOperator, MetricsParallelism:
		return nil
	}
	return invalidArgument("MetricsLevel %q is not APPLICATION, TASK, OPERATOR or PARALLELISM", l)
}

func checkTimestamp(member string, t time.Time) error {
	if t.IsZero() {
		return invalidArgument("%s is required", member)
	}
	return nil
}
