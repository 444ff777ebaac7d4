// Package tools holds Watch Tower's fleet functions and the conversational loop over them.
//
// The eight functions have fixed names (get_truck_location, create_trip, get_fleet_status,
// get_trip_details, get_daily_summary, find_nearby_trucks, cancel_trip, update_trip). Each is a Tool in the Registry: a
// description written for the model, a strict JSON schema generated from its argument struct
// (every property required, optional ones nullable, no extra properties), the argument struct
// decoded with unknown fields refused, a handler and a read-only flag. Every front door calls
// the same implementation:
//
//   - the model, through Agent.Ask (OpenAI Responses API, function calling);
//   - the offline intent parser (package tools/intent), also through Agent.Ask, when no API key
//     is set or the model fails, so the Answer has the same shape whichever engine answered;
//   - slash commands, the console and the JSON API, through Registry.Call by name or the typed
//     helpers (Registry.TruckLocation, CreateTrip, FleetStatus, TripDetails, DailySummary,
//     NearbyTrucks, CancelTrip, UpdateTrip), plus Registry.ApproveTrip and RejectTrip for the
//     approval buttons.
//
// Results are typed (*TruckLocation, *TripCreated, *FleetStatus, *TripDetails, *DailySummary,
// *NearbyTrucks, *TripChanged) so Slack can render cards, and their JSON is what the model reads. Failures
// are fleet.Error values; the model and users only ever see fleet.ErrorMessage and the
// suggestions (close plates or site codes), never internal details.
//
// create_trip only ever creates a pending_approval trip (fleet.NewTrip's rules, then the
// store's overlap check, with the audit entry in the same transaction) and queues the
// trip.approval notification through a Notifier; approving is a person's decision.
//
// Data comes through small interfaces declared here (Fleet and its parts, Notifier, Memory,
// RosterSource, CellSource); *store.Store, the ingest notify stream and RedisMemory satisfy
// them and main wires them. StateIndex keeps the fleet's latest fixes in memory for
// find_nearby_trucks and get_fleet_status.
//
// tools owns the fleet functions and the agent; it imports fleet only (and its own
// subpackages), never store, ingest, schedule or bot. The store is reached through Fleet and
// RosterSource, declared in deps.go and satisfied by *store.Store.
package tools
