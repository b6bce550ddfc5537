/*
 * network.c - from kept edges to ranked networks.
 *
 * The kept edges' endpoints are numbered densely (sorted account ids, so
 * the graph and thus igraph's result depend only on the edges), the
 * communities come from cluster.c, and those of >= min_size accounts
 * become networks: members with their strength, the edges inside, the
 * traces those edges carry and the score.  Networks are then sorted by
 * score (ties: least member id) and numbered from 1.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cib/cluster.h"
#include "cib/network.h"
#include "darkwatch/err.h"
static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return (a > b) - (a < b);
}

static size_t node_of(const uint32_t *nodes, size_t n, uint32_t acc)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (nodes[mid] < acc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int cmp_member(const void *x, const void *y)
{
	const struct dw_cib_member *a = x, *b = y;

	if (a->strength != b->strength)
		return a->strength > b->strength ? -1 : 1;
	return (a->account > b->account) - (a->account < b->account);
}

static int cmp_net(const void *x, const void *y)
{
	const struct dw_cib_network *a = x, *b = y;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	/* ties: the network with the least account id first */
	uint32_t ma = UINT32_MAX, mb = UINT32_MAX;
	for (size_t i = 0; i < a->nmembers; i++)
		if (a->members[i].account < ma)
			ma = a->members[i].account;
	for (size_t i = 0; i < b->nmembers; i++)
		if (b->members[i].account < mb)
			mb = b->members[i].account;
	return (ma > mb) - (ma < mb);
}

/*
 * Score: mean internal edge weight x density x log2(1 + members).  The
 * first two say how tightly the accounts act together (1 x 1 for a clique
 * of accounts that share everything together), the last lets a larger
 * network of the same tightness rank higher, but only logarithmically, so
 * that a loose large community does not outrank a tight small one.
 */
static double net_score(const struct dw_cib_network *n)
{
	double sum = 0, dens;

	if (n->nmembers < 2 || n->nedges == 0)
		return 0;
	for (size_t i = 0; i < n->nedges; i++)
		sum += n->edges[i].weight;
	dens = 2.0 * (double)n->nedges /
	       ((double)n->nmembers * (double)(n->nmembers - 1));
	return sum / (double)n->nedges * dens * log2(1.0 + (double)n->nmembers);
}

/*
 * The kept edges inside each network (both ends in one community that is
 * a network); they stay in (a, b) order.  0 or DW_ENOMEM.
 */
static int place_edges(const struct dw_cib_edge *e, size_t ne,
		       const uint32_t *eu, const uint32_t *ev,
		       const uint32_t *memb, const uint32_t *cnet,
		       struct dw_cib_result *res)
{
	for (size_t i = 0; i < ne; i++) {
		uint32_t k = cnet[memb[eu[i]]];
		if (k && memb[eu[i]] == memb[ev[i]])
			res->net[k - 1].nedges++;
	}
	for (size_t j = 0; j < res->nnet; j++) {
		struct dw_cib_network *n = &res->net[j];
		n->edges = malloc((n->nedges ? n->nedges : 1) *
				  sizeof(*n->edges));
		if (!n->edges)
			return DW_ENOMEM;
		n->nedges = 0;
	}
	for (size_t i = 0; i < ne; i++) {
		uint32_t k = cnet[memb[eu[i]]];
		struct dw_cib_network *n;
		if (!k || memb[eu[i]] != memb[ev[i]])
			continue;
		n = &res->net[k - 1];
		n->edges[n->nedges++] = e[i];
		n->traces |= e[i].traces;
	}
	return 0;
}

/* Strengths and score; members then sorted by strength. */
static void finish(struct dw_cib_network *n)
{
	/* members are in account order here: binary search them */
	for (size_t i = 0; i < n->nedges; i++) {
		for (int s = 0; s < 2; s++) {
			uint32_t acc = s ? n->edges[i].b : n->edges[i].a;
			size_t lo = 0, hi = n->nmembers;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (n->members[mid].account < acc)
					lo = mid + 1;
				else
					hi = mid;
			}
			n->members[lo].strength += n->edges[i].weight;
		}
	}
	n->score = net_score(n);
	qsort(n->members, n->nmembers, sizeof(*n->members), cmp_member);
}

int dw_cib_networks_build(const struct dw_cib_conf *conf,
			  const struct dw_cib_edge *e, size_t ne,
			  struct dw_cib_result *res)
{
	uint32_t *nodes = NULL, *eu = NULL, *ev = NULL, *memb = NULL;
	uint32_t *csize = NULL, *cnet = NULL;
	double *w = NULL;
	size_t nn = 0, ncom = 0, nnet = 0;
	int rc = DW_ENOMEM;

	if (ne == 0)
		return 0;
	nodes = malloc(2 * ne * sizeof(*nodes));
	eu = malloc(ne * sizeof(*eu));
	ev = malloc(ne * sizeof(*ev));
	w = malloc(ne * sizeof(*w));
	if (!nodes || !eu || !ev || !w)
		goto out;
	for (size_t i = 0; i < ne; i++) {
		nodes[2 * i] = e[i].a;
		nodes[2 * i + 1] = e[i].b;
	}
	qsort(nodes, 2 * ne, sizeof(*nodes), cmp_u32);
	for (size_t i = 0; i < 2 * ne; i++)
		if (nn == 0 || nodes[nn - 1] != nodes[i])
			nodes[nn++] = nodes[i];
	for (size_t i = 0; i < ne; i++) {
		eu[i] = (uint32_t)node_of(nodes, nn, e[i].a);
		ev[i] = (uint32_t)node_of(nodes, nn, e[i].b);
		w[i] = e[i].weight;
	}
	memb = malloc(nn * sizeof(*memb));
	if (!memb)
		goto out;
	rc = dw_cib_communities(nn, eu, ev, w, ne, conf->resolution,
				conf->seed, memb);
	if (rc)
		goto out;
	rc = DW_ENOMEM;
	for (size_t i = 0; i < nn; i++)
		if (memb[i] + 1 > ncom)
			ncom = memb[i] + 1;
	csize = calloc(ncom, sizeof(*csize));
	cnet = calloc(ncom, sizeof(*cnet));
	if (!csize || !cnet)
		goto out;
	for (size_t i = 0; i < nn; i++)
		csize[memb[i]]++;
	for (size_t c = 0; c < ncom; c++)
		if (csize[c] >= (uint32_t)conf->min_size)
			cnet[c] = (uint32_t)++nnet;
	if (nnet == 0) {
		rc = 0;
		goto out;
	}
	res->net = calloc(nnet, sizeof(*res->net));
	if (!res->net)
		goto out;
	res->nnet = nnet;
	for (size_t c = 0; c < ncom; c++) {
		struct dw_cib_network *n;
		if (!cnet[c])
			continue;
		n = &res->net[cnet[c] - 1];
		n->members = calloc(csize[c], sizeof(*n->members));
		if (!n->members)
			goto out;
	}
	for (size_t i = 0; i < nn; i++) {
		uint32_t k = cnet[memb[i]];
		if (k) {
			struct dw_cib_network *n = &res->net[k - 1];
			n->members[n->nmembers++].account = nodes[i];
		}
	}
	if ((rc = place_edges(e, ne, eu, ev, memb, cnet, res)) != 0)
		goto out;
	for (size_t j = 0; j < nnet; j++)
		finish(&res->net[j]);
	qsort(res->net, nnet, sizeof(*res->net), cmp_net);
	for (size_t j = 0; j < nnet; j++)
		res->net[j].id = (uint32_t)(j + 1);
	rc = 0;
out:
	free(nodes);
	free(eu);
	free(ev);
	free(w);
	free(memb);
	free(csize);
	free(cnet);
	return rc;
}
