package session

import (
	"encoding/json"
	"os"
	"testing"
	"time"
)

// TestExpiryContract: Expired and Usable follow testdata/expiry-contract.json, which
// desklit_auth's tests read too, so that Go and Python judge a token's expiry alike.
func TestExpiryContract(t *testing.T) {
	data, err := os.ReadFile("../../testdata/expiry-contract.json")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		SkewSeconds int `json:"skew_seconds"`
		Cases       []struct {
			Name    string     `json:"name"`
			Now     time.Time  `json:"now"`
			Expiry  *time.Time `json:"expiry"`
			Token   *string    `json:"token"`
			Expired bool       `json:"expired"`
			Usable  bool       `json:"usable"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	if time.Duration(c.SkewSeconds)*time.Second != ExpirySkew {
		t.Errorf("ExpirySkew %s, the contract says %d s", ExpirySkew, c.SkewSeconds)
	}
	if len(c.Cases) < 5 {
		t.Fatalf("%d cases", len(c.Cases))
	}
	for _, tc := range c.Cases {
		v := View{AccessToken: "ACCESS.TOKEN.VALUE"}
		if tc.Token != nil {
			v.AccessToken = *tc.Token
		}
		if tc.Expiry != nil {
			v.Expiry = *tc.Expiry
		}
		if got := v.Expired(tc.Now); got != tc.Expired {
			t.Errorf("%s: Expired = %v, want %v", tc.Name, got, tc.Expired)
		}
		if got := v.Usable(tc.Now); got != tc.Usable {
			t.Errorf("%s: Usable = %v, want %v", tc.Name, got, tc.Usable)
		}
	}
}
