package workflow_test

import (
	"context"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

// Findings 9–10 of issue 15: reserved and internal addresses are never a
// webhook's receiver; loopback and private ones only when allowed.
func TestWebhookAddresses(t *testing.T) {
	for _, a := range []string{
		"169.254.169.254", "fd00:ec2::254", "100.100.100.200", "100.64.0.1", "100.127.255.255",
		"64:ff9b::a9fe:a9fe", "64:ff9b:1::1", "::ffff:169.254.169.254", "fe80::1", "0.0.0.0", "::",
		"224.0.0.1", "ff02::1", "255.255.255.255", "240.0.0.1", "192.0.0.192", "198.18.0.1",
		"2002:a9fe:a9fe::1", "2001:0:4136:e378::1", "192.0.2.1", "2001:db8::1",
	} {
		for _, allow := range []bool{false, true} {
			require.ErrorIs(t, workflow.CheckWebhookAddress(netip.MustParseAddr(a), allow), workflow.ErrReservedTarget, "%s allow=%v", a, allow)
		}
	}
	for _, a := range []string{"127.0.0.1", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "fd12:3456::1", "::ffff:127.0.0.1"} {
		require.ErrorIs(t, workflow.CheckWebhookAddress(netip.MustParseAddr(a), false), workflow.ErrPrivateTarget, a)
		require.NoError(t, workflow.CheckWebhookAddress(netip.MustParseAddr(a), true), a)
	}
	for _, a := range []string{"93.184.215.14", "2606:4700::6810:84e5", "100.63.255.255", "100.128.0.1"} {
		require.NoError(t, workflow.CheckWebhookAddress(netip.MustParseAddr(a), false), a)
		require.True(t, workflow.IsPublicAddress(netip.MustParseAddr(a)), a)
	}

	ctx := context.Background()
	for _, u := range []string{"http://[fd00:ec2::254]/", "http://100.100.100.200/latest", "http://[64:ff9b::a9fe:a9fe]/", "https://100.64.0.1/"} {
		require.Error(t, workflow.CheckWebhookTarget(ctx, u, true), u)
	}
	for _, u := range []string{"http://127.0.0.1:9/x", "http://localhost:8080/", "http://api.localhost/", "http://[::1]/", "http://10.0.0.8/"} {
		require.Error(t, workflow.CheckWebhookTarget(ctx, u, false), u)
		require.NoError(t, workflow.CheckWebhookTarget(ctx, u, true), u)
	}
	require.NoError(t, workflow.CheckWebhookTarget(ctx, "https://93.184.215.14/in", false))
}
