package appwindow

import (
	"testing"

	"github.com/desklit/desklit/app/windowapi"
)

func TestServicePillsKeepOneOrder(t *testing.T) {
	for _, in := range [][]string{
		{"streamlit", "api", "component"},
		{"api", "component", "streamlit"},
		{"component", "extra", "streamlit", "api"},
	} {
		v := make([]windowapi.ServiceView, len(in))
		for i, n := range in {
			v[i].Name = n
		}
		sortServices(v)
		var got []string
		for _, s := range v {
			got = append(got, s.Name)
		}
		want := []string{"api", "component", "streamlit"}
		if len(in) == 4 {
			want = append(want, "extra")
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("sortServices(%v) = %v, want %v", in, got, want)
			}
		}
	}
}
