package nexmark

import (
	"math/bits"
	"strconv"
)

// The benchmark's word lists (PersonGenerator, BidGenerator).
var (
	usStates    = []string{"AZ", "CA", "ID", "OR", "WA", "WY"}
	usCities    = []string{"Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle", "Kent", "Cheyenne"}
	firstNames  = []string{"Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"}
	lastNames   = []string{"Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"}
	hotChannels = []string{"Google", "Facebook", "Baidu", "Apple"}
	// personNames holds every first and last name pair, so a person's
	// name costs no allocation.
	personNames = func() []string {
		names := make([]string, 0, len(firstNames)*len(lastNames))
		for _, f := range firstNames {
			for _, l := range lastNames {
				names = append(names, f+" "+l)
			}
		}
		return names
	}()
)

const (
	// minStringLength is the shortest random string, before trimming.
	minStringLength = 3
	// numChannels is how many cold channels bids come from.
	numChannels = 10_000
	// extraPoolSize is the length of the random text Extra fields are
	// cut from.
	extraPoolSize = 1 << 20
)

// appendString appends a random string of minStringLength to maxLength−1
// characters, each a letter or, with probability 1/13, special; a space
// at either end is trimmed, as the benchmark's StringsGenerator.nextString.
func (r *rng) appendString(dst []byte, maxLength int, special byte) []byte {
	var buf [128]byte
	n := minStringLength + int(r.intn(int64(maxLength-minStringLength)))
	s := buf[:n]
	// Each character is a draw in [0, 338): below 26 (1 in 13) the
	// special character, else a letter; six draws per random word.
	var word uint64
	for i := range s {
		if i%6 == 0 {
			word = r.next()
		}
		var c uint64
		c, word = bits.Mul64(word, 338)
		if c < 26 {
			s[i] = special
		} else {
			s[i] = 'a' + byte((c-26)%26)
		}
	}
	if special == ' ' {
		for len(s) > 0 && s[0] == ' ' {
			s = s[1:]
		}
		for len(s) > 0 && s[len(s)-1] == ' ' {
			s = s[:len(s)-1]
		}
	}
	return append(dst, s...)
}

// appendCreditCard appends four groups of four digits, space-separated.
func (r *rng) appendCreditCard(dst []byte) []byte {
	for i := range 4 {
		if i > 0 {
			dst = append(dst, ' ')
		}
		n := r.intn(10_000)
		dst = append(dst, byte('0'+n/1000), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
	}
	return dst
}

// channel is a bid's channel and URL.
type channel struct{ name, url string }

// channels returns the hot channels and the cold ones, with their URLs,
// drawn from r, as the benchmark's BidGenerator caches them.
func (r *rng) channels() (hot []channel, cold []channel) {
	hot = make([]channel, len(hotChannels))
	for i, name := range hotChannels {
		hot[i] = channel{name: name, url: r.baseURL()}
	}
	cold = make([]channel, numChannels)
	for i := range cold {
		url := r.baseURL()
		if r.intn(10) > 0 {
			id := int64(int32(bits.Reverse32(uint32(i)))) // |reverse(i)| as a 32-bit int
			url += "&channel_id=" + strconv.FormatInt(max(id, -id), 10)
		}
		cold[i] = channel{name: "channel-" + strconv.Itoa(i), url: url}
	}
	return hot, cold
}

// baseURL returns a random item page URL.
func (r *rng) baseURL() string {
	b := []byte("https://www.nexmark.com/")
	for range 3 {
		b = r.appendString(b, 5, '_')
		b = append(b, '/')
	}
	return string(append(b, "item.htm?query=1"...))
}

// extraPool returns random letters that Extra fields are cut from.
func (r *rng) extraPool() string {
	b := make([]byte, extraPoolSize)
	for i := range b {
		b[i] = 'a' + byte(r.intn(26))
	}
	return string(b)
}

// extra returns an Extra field that brings an event of currentSize bytes
// to desiredAverage on average: a length uniform within ±20 % of the
// difference, cut from pool, as the benchmark's StringsGenerator.nextExtra.
func (r *rng) extra(pool string, currentSize, desiredAverage int) string {
	if currentSize > desiredAverage {
		return ""
	}
	want := desiredAverage - currentSize
	delta := (2*want + 5) / 10 // round(want × 0.2)
	size := want - delta
	if delta > 0 {
		size += int(r.intn(int64(2 * delta)))
	}
	off := int(r.intn(int64(len(pool) - size)))
	return pool[off : off+size]
}
